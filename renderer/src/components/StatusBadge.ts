import { defineComponent, h, type PropType } from 'vue';
import type { RunStatus } from '../../../contract/api';

/** The run's status as a coloured word, with a progress bar while it is queued or running. */
export default defineComponent({
  name: 'StatusBadge',
  props: {
    status: { type: String as PropType<RunStatus>, required: true },
    progress: { type: Number, default: 0 },
    epochs: { type: Number, default: 0 },
    planned: { type: Number as PropType<number | null>, default: null },
  },
  setup(props) {
    return () => {
      const live = props.status === 'running' || props.status === 'queued';
      return h('span', { class: ['status', `status-${props.status}`], title: props.planned ? `${props.epochs} / ${props.planned} epochs` : `${props.epochs} epochs` }, [
        h('span', { class: 'status-word' }, props.status),
        live
          ? h('span', { class: 'progress', role: 'progressbar', 'aria-valuenow': Math.round(props.progress * 100), 'aria-valuemin': 0, 'aria-valuemax': 100 }, [
              h('span', { class: 'progress-fill', style: { width: `${(props.progress * 100).toFixed(1)}%` } }),
            ])
          : null,
        live ? h('span', { class: 'progress-text' }, `${props.epochs}/${props.planned ?? '?'}`) : null,
      ]);
    };
  },
});
