import { computed, defineComponent, h, ref, toRef, type PropType } from 'vue';
import type { RunDetail } from '../../../contract/api';
import { buildCurvesOption } from '../charts/curves';
import { metricsCsv } from '../charts/curves-csv';
import { METRIC_LABELS, studentCurves, type MetricKey } from '../charts/series';
import ChartPanel from '../components/ChartPanel.vue';
import type { CurveSettings } from '../charts/curves';
import CurveControls from '../components/CurveControls.vue';
import StateView from '../components/StateView.vue';
import StatusBadge from '../components/StatusBadge.vue';
import { errorMessage } from '../api/api-error';
import { useApi } from '../composables/api-context';
import { useRunStream } from '../composables/useRunStream';
import { useTheme } from '../composables/useTheme';
import { elapsedMs, formatDate, formatDuration, formatMetric } from '../format';
import type { Route } from '../router';
import { runProgress } from '../runs-table';

const CHARTS: MetricKey[] = ['taskLoss', 'distillLoss', 'trainMetric', 'valMetric', 'testMetric'];

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function keyValues(entries: [string, unknown][]) {
  return h(
    'table',
    { class: 'kv dense' },
    h(
      'tbody',
      entries.map(([k, v]) => h('tr', { key: k }, [h('th', k), h('td', { class: 'mono' }, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))])),
    ),
  );
}

/** One run: live curves per student, configuration, backend, timings, convergence and log. */
export default defineComponent({
  name: 'RunView',
  props: {
    id: { type: Number, required: true },
    navigate: { type: Function as PropType<(route: Route) => void>, required: true },
  },
  setup(props) {
    const api = useApi();
    const runId = toRef(() => props.id as number | null);
    const { detail, metrics, log, loading, error, reload } = useRunStream(runId);
    const { palette } = useTheme();
    const settings = ref<CurveSettings>({ xMode: 'epoch', logY: false, smoothing: 0 });
    const actionError = ref<string | null>(null);

    const epochsShown = computed(() => metrics.value.reduce((max, m) => Math.max(max, m.epoch), 0));
    const options = computed(() =>
      Object.fromEntries(
        CHARTS.map((metric) => {
          const curves = [...studentCurves(metrics.value, metric).entries()].map(([student, points]) => ({ name: `student ${student + 1}`, points, colorIndex: student }));
          const isLoss = metric === 'taskLoss' || metric === 'distillLoss';
          return [metric, { curves, option: buildCurvesOption(curves, { ...settings.value, logY: settings.value.logY && isLoss, yName: METRIC_LABELS[metric], palette: palette.value }) }];
        }),
      ),
    );
    const csv = () => metricsCsv([{ runId: props.id, label: detail.value?.name ?? '', metrics: metrics.value }]);

    async function act(action: () => Promise<unknown>): Promise<void> {
      actionError.value = null;
      try {
        await action();
        await reload();
      } catch (e) {
        actionError.value = errorMessage(e);
      }
    }

    const side = (run: RunDetail) => {
      const epochMs = median(metrics.value.filter((m) => m.student === 0).map((m) => m.epochMs));
      return h('aside', { class: 'run-side' }, [
        h('section', { class: 'panel' }, [
          h('header', { class: 'panel-head' }, h('h3', 'Convergence')),
          h('table', { class: 'dense convergence' }, [
            h('thead', h('tr', ['student', 'best val', '@epoch', 'test@best', 'ep→95%', 's→95%', 'ep→99%', 's→99%'].map((c) => h('th', c)))),
            h(
              'tbody',
              run.students.map((s) =>
                h('tr', { key: s.idx }, [
                  h('td', String(s.idx + 1)),
                  h('td', { class: 'num mono' }, formatMetric(s.bestVal)),
                  h('td', { class: 'num' }, s.bestEpoch ?? '—'),
                  h('td', { class: 'num mono' }, formatMetric(s.testAtBest)),
                  h('td', { class: 'num' }, s.epochsTo95 ?? '—'),
                  h('td', { class: 'num' }, s.secondsTo95 === null ? '—' : s.secondsTo95.toFixed(1)),
                  h('td', { class: 'num' }, s.epochsTo99 ?? '—'),
                  h('td', { class: 'num' }, s.secondsTo99 === null ? '—' : s.secondsTo99.toFixed(1)),
                ]),
              ),
            ),
          ]),
        ]),
        h('section', { class: 'panel' }, [
          h('header', { class: 'panel-head' }, h('h3', 'Timings & backend')),
          keyValues([
            ['created', formatDate(run.createdAt)],
            ['started', formatDate(run.startedAt)],
            ['finished', formatDate(run.finishedAt)],
            ['duration', formatDuration(elapsedMs(run.startedAt, run.finishedAt))],
            ['median epoch', epochMs === null ? '—' : formatDuration(epochMs)],
            ['backend', run.backend ?? '—'],
            ...(run.backendReport ? ([['backend report', run.backendReport]] as [string, unknown][]) : []),
            ...(run.versions ? ([['versions', run.versions]] as [string, unknown][]) : []),
          ]),
        ]),
        h('section', { class: 'panel' }, [h('header', { class: 'panel-head' }, h('h3', 'Configuration')), keyValues(Object.entries(run.config))]),
        run.notes ? h('section', { class: 'panel' }, [h('header', { class: 'panel-head' }, h('h3', 'Notes')), h('p', { class: 'notes' }, run.notes)]) : null,
      ]);
    };

    return () =>
      h('div', { class: 'view run-view' }, [
        h(
          StateView,
          { loading: loading.value, error: error.value, empty: !detail.value, retry: reload },
          {
            default: () => {
              const run = detail.value!;
              const live = run.status === 'running' || run.status === 'queued';
              return [
                h('header', { class: 'view-head' }, [
                  h('h2', [h('span', { class: 'muted' }, `#${run.id} `), run.name || `run ${run.id}`]),
                  h(StatusBadge, { status: run.status, progress: runProgress(run), epochs: run.epochs, planned: run.plannedEpochs }),
                  h('span', { class: 'muted', 'data-test': 'epoch-count' }, `epoch ${epochsShown.value}${run.plannedEpochs ? ` / ${run.plannedEpochs}` : ''}`),
                  h('span', { class: 'muted' }, `${run.dataset} · ${run.model} · ${run.strategy} · K=${run.numStudents} · L=${run.numLayers} · seed ${run.seed}`),
                  h('span', { class: 'spacer' }),
                  live ? h('button', { class: 'small', onClick: () => act(() => api.call('runs.cancel', { id: run.id })) }, run.cancelRequested ? 'Cancelling…' : 'Cancel') : null,
                  ['interrupted', 'failed', 'cancelled'].includes(run.status) ? h('button', { class: 'small', onClick: () => act(() => api.call('runs.resume', { id: run.id })) }, 'Resume') : null,
                  h('button', { class: 'small', onClick: () => act(async () => props.navigate({ view: 'run', id: (await api.call('runs.rerun', { id: run.id })).id })) }, 'Re-run'),
                  h('button', { class: 'small', onClick: () => props.navigate({ view: 'heatmaps', left: run.id, right: null }) }, 'Heatmaps'),
                  h('button', { class: 'small', onClick: () => props.navigate({ view: 'compare', ids: [run.id], group: run.group }) }, 'Compare'),
                ]),
                run.error ? h('div', { class: 'state error', role: 'alert' }, run.error) : null,
                actionError.value ? h('div', { class: 'state error', role: 'alert' }, actionError.value) : null,
                h('div', { class: 'run-layout' }, [
                  h('div', { class: 'run-main' }, [
                    h(CurveControls, { modelValue: settings.value, 'onUpdate:modelValue': (v: CurveSettings) => (settings.value = v) }),
                    h(
                      'div',
                      { class: 'chart-grid' },
                      CHARTS.map((metric) =>
                        h(ChartPanel, {
                          key: metric,
                          title: METRIC_LABELS[metric],
                          option: options.value[metric].option,
                          csv,
                          height: '220px',
                          empty: options.value[metric].curves.length === 0 ? (live ? 'Waiting for the first epoch…' : 'No values recorded') : '',
                        }),
                      ),
                    ),
                    h('section', { class: 'panel log' }, [
                      h('header', { class: 'panel-head' }, h('h3', `Log (${log.value.length})`)),
                      log.value.length === 0
                        ? h('div', { class: 'state empty' }, 'No log lines yet.')
                        : h(
                            'ol',
                            { class: 'log-lines mono' },
                            log.value.slice(-300).map((line) => h('li', { key: line.id, class: `level-${line.level}` }, [h('span', { class: 'muted' }, formatDate(line.at).slice(11) + ' '), `${line.kind}: ${line.message}`])),
                          ),
                    ]),
                  ]),
                  side(run),
                ]),
              ];
            },
          },
        ),
      ]);
  },
});
