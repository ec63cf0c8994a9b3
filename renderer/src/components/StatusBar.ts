import { defineComponent, h, onMounted } from 'vue';
import { useSettings } from '../composables/useSettings';

/** The bottom line: compute backend (and why the faster ones were skipped), connection, version. */
export default defineComponent({
  name: 'StatusBar',
  setup() {
    const { info, backend, error, connection, load } = useSettings();
    onMounted(load);
    return () => {
      const b = backend.value;
      const skipped = b?.skipped ?? [];
      return h('footer', { class: 'status-bar', 'data-test': 'status-bar' }, [
        h('span', { class: ['dot', connection.value === 'open' ? 'ok' : 'warn'], title: `events: ${connection.value}` }),
        h('span', { 'data-test': 'backend' }, b ? `backend: ${b.backend}${b.graphOps ? ` (${b.graphOps})` : ''}${b.kernelThreads ? ` · graph kernels on ${b.kernelThreads} threads` : ''}` : error.value ? `backend unknown: ${error.value}` : 'backend: chosen when the first run starts'),
        skipped.length ? h('span', { class: 'muted', title: skipped.map((s) => `${s.backend}: ${s.reason}`).join('\n') }, `skipped ${skipped.map((s) => `${s.backend} (${s.reason})`).join('; ')}`) : null,
        h('span', { class: 'spacer' }),
        connection.value !== 'open' ? h('span', { class: 'warn-text' }, connection.value === 'reconnecting' ? 'reconnecting to the server…' : 'connecting…') : null,
        info.value ? h('span', { class: 'muted' }, `${info.value.mode} · v${info.value.version} · ${info.value.databasePath}`) : null,
        h('span', { class: 'muted' }, '? shortcuts'),
      ]);
    };
  },
});
