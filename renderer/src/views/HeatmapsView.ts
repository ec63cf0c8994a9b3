import { computed, defineComponent, h, onMounted, onUnmounted, ref, shallowRef, toRef, watch, type PropType } from 'vue';
import type { AlignmentMatrixRow, RunSummary } from '../../../contract/api';
import { toCsv } from '../charts/csv';
import { buildHeatmapOption, nearestEpoch, sharedScale, type ColorScale } from '../charts/heatmap';
import ChartPanel from '../components/ChartPanel.vue';
import StateView from '../components/StateView.vue';
import { useApi } from '../composables/api-context';
import { useAlignment } from '../composables/useAlignment';
import { useTheme } from '../composables/useTheme';
import type { Route } from '../router';

const PLAY_INTERVAL_MS = 600;

function pairMatrix(matrices: readonly AlignmentMatrixRow[] | undefined, student: number, peer: number): AlignmentMatrixRow | null {
  return matrices?.find((m) => m.student === student && m.peer === peer) ?? null;
}

/** Per-layer alignment heatmaps of one or two runs, with an epoch slider, play, and one colour scale. */
export default defineComponent({
  name: 'HeatmapsView',
  props: {
    left: { type: Number as PropType<number | null>, default: null },
    right: { type: Number as PropType<number | null>, default: null },
    navigate: { type: Function as PropType<(route: Route) => void>, required: true },
  },
  setup(props) {
    const api = useApi();
    const { palette } = useTheme();
    const runs = shallowRef<RunSummary[]>([]);
    const leftState = useAlignment(toRef(() => props.left));
    const rightState = useAlignment(toRef(() => props.right));
    const student = ref(0);
    const peer = ref(1);
    const epochIndex = ref(0);
    const playing = ref(false);
    let timer: ReturnType<typeof setInterval> | null = null;

    onMounted(async () => {
      try {
        runs.value = (await api.call('runs.list', { limit: 10_000 })).runs;
      } catch {
        // the pickers stay empty; the heatmaps of the ids in the address still load
      }
    });

    const allEpochs = computed(() => [...new Set([...leftState.epochs.value, ...(props.right ? rightState.epochs.value : [])])].sort((a, b) => a - b));
    const epoch = computed(() => allEpochs.value[Math.min(epochIndex.value, allEpochs.value.length - 1)] ?? null);
    const numStudents = computed(() => Math.max(leftState.detail.value?.numStudents ?? 0, rightState.detail.value?.numStudents ?? 0));

    // a new run jumps to its latest epoch; a growing run keeps following its newest one
    watch(allEpochs, (list, previous) => {
      if (!previous || previous.length === 0 || epochIndex.value >= previous.length - 1) epochIndex.value = Math.max(0, list.length - 1);
    });
    watch(numStudents, (n) => {
      if (student.value >= n) student.value = 0;
      if (peer.value >= n || peer.value === student.value) peer.value = n > 1 ? (student.value + 1) % n : 0;
    });

    const scale = computed<ColorScale | null>(() => {
      const matrices: AlignmentMatrixRow[] = [];
      for (const state of props.right ? [leftState, rightState] : [leftState]) {
        for (const list of state.byEpoch.value.values()) {
          const m = pairMatrix(list, student.value, peer.value);
          if (m) matrices.push(m);
        }
      }
      return sharedScale(matrices);
    });

    function stop(): void {
      playing.value = false;
      if (timer) clearInterval(timer);
      timer = null;
    }
    function play(): void {
      if (playing.value) return stop();
      if (epochIndex.value >= allEpochs.value.length - 1) epochIndex.value = 0;
      playing.value = true;
      timer = setInterval(() => {
        if (epochIndex.value >= allEpochs.value.length - 1) stop();
        else epochIndex.value++;
      }, PLAY_INTERVAL_MS);
    }
    onUnmounted(stop);

    function pane(side: 'left' | 'right') {
      const state = side === 'left' ? leftState : rightState;
      const id = side === 'left' ? props.left : props.right;
      const run = state.detail.value;
      const shownEpoch = epoch.value === null ? null : nearestEpoch(state.epochs.value, epoch.value);
      const matrix = shownEpoch === null ? null : pairMatrix(state.byEpoch.value.get(shownEpoch), student.value, peer.value);
      const title = run ? `#${run.id} ${run.name || run.strategy} · ${run.strategy} · epoch ${shownEpoch ?? '—'}` : `run ${id ?? '—'}`;
      const option = matrix && scale.value ? buildHeatmapOption(matrix, run?.planPairs ?? [], scale.value, { palette: palette.value, studentLabel: `student ${student.value + 1} layer`, peerLabel: `peer ${peer.value + 1} layer` }) : {};
      const csv = () =>
        toCsv(
          ['epoch', 'student_layer', 'peer_layer', 'distance', 'planned'],
          matrix ? Array.from({ length: matrix.rows * matrix.cols }, (_, k) => [shownEpoch, Math.floor(k / matrix.cols) + 1, (k % matrix.cols) + 1, matrix.data[k], (run?.planPairs ?? []).some((p) => p.student === Math.floor(k / matrix.cols) && p.peer === k % matrix.cols)]) : [],
        );
      return h('div', { class: 'heatmap-pane', 'data-side': side }, [
        h(
          'select',
          { 'aria-label': `${side} run`, value: id ?? '', onChange: (e: Event) => ((v) => props.navigate({ view: 'heatmaps', left: side === 'left' ? v : props.left, right: side === 'right' ? v : props.right }))(Number((e.target as HTMLSelectElement).value) || null) },
          [h('option', { value: '' }, side === 'left' ? 'choose a run…' : 'no second run'), ...runs.value.map((r) => h('option', { value: r.id }, `#${r.id} ${r.name} (${r.strategy}, K=${r.numStudents}, L=${r.numLayers})`))],
        ),
        id === null
          ? h('div', { class: 'state empty' }, side === 'left' ? 'Choose a run to see its alignment heatmaps.' : 'Add a second run (e.g. one-to-one next to align-ahead) to compare them side by side.')
          : h(StateView, { loading: state.loading.value, error: state.error.value, empty: state.epochs.value.length === 0, emptyText: state.loading.value ? 'Loading…' : 'This run has no alignment matrices (heatmap every = 0, a single student, or no epoch recorded yet).' }, () =>
              h(ChartPanel, { title, option: option, csv, height: '380px', empty: matrix ? '' : `No matrix for student ${student.value + 1} ← peer ${peer.value + 1} at this epoch` }),
            ),
        run ? h('p', { class: 'muted small' }, run.planPairs.length ? `Outlined: planned pairs ${run.planPairs.map((p) => `${p.student + 1}←${p.peer + 1}`).join(', ')} (student layer ← peer layer)` : 'No planned pairs (no layer alignment in this strategy).') : null,
      ]);
    }

    return () => {
      const n = numStudents.value;
      const studentOptions = Array.from({ length: n }, (_, i) => h('option', { value: i }, `student ${i + 1}`));
      return h('div', { class: 'view heatmaps-view' }, [
        h('div', { class: 'toolbar' }, [
          h('label', { class: 'inline' }, ['student ', h('select', { 'aria-label': 'student', value: student.value, onChange: (e: Event) => (student.value = Number((e.target as HTMLSelectElement).value)) }, studentOptions)]),
          h('label', { class: 'inline' }, ['← peer ', h('select', { 'aria-label': 'peer', value: peer.value, onChange: (e: Event) => (peer.value = Number((e.target as HTMLSelectElement).value)) }, studentOptions)]),
          h('button', { class: 'small', 'aria-label': playing.value ? 'pause' : 'play', disabled: allEpochs.value.length < 2, onClick: play }, playing.value ? '❚❚ Pause' : '▶ Play'),
          h('input', {
            type: 'range',
            class: 'epoch-slider',
            'aria-label': 'epoch',
            min: 0,
            max: Math.max(0, allEpochs.value.length - 1),
            step: 1,
            value: epochIndex.value,
            disabled: allEpochs.value.length < 2,
            onInput: (e: Event) => {
              stop();
              epochIndex.value = Number((e.target as HTMLInputElement).value);
            },
          }),
          h('span', { class: 'mono', 'data-test': 'heatmap-epoch' }, `epoch ${epoch.value ?? '—'}`),
          h('span', { class: 'muted' }, scale.value ? `shared scale ${scale.value.min.toPrecision(3)} … ${scale.value.max.toPrecision(3)} (all epochs${props.right ? ', both runs' : ''})` : ''),
        ]),
        h('p', { class: 'muted small' }, 'Cell (i, m) = D(H_student^(i), H_peer^(m)), the local-structure distance between layer i of the student and layer m of the peer; lower = closer. Outlined cells are the pairs the strategy trains.'),
        h('div', { class: 'heatmap-grid' }, [pane('left'), pane('right')]),
      ]);
    };
  },
});
