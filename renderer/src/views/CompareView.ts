import { computed, defineComponent, h, onMounted, ref, shallowRef, watch, type PropType } from 'vue';
import type { RunSummary } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { buildBandsOption, meanStdBand } from '../charts/bands';
import { buildCurvesOption } from '../charts/curves';
import { metricsCsv } from '../charts/curves-csv';
import { toCsv } from '../charts/csv';
import { METRIC_LABELS, studentCurves, type MetricKey } from '../charts/series';
import { compareGroups, groupCurves, MEASURE_LABELS, summarizeGroups, type Measure } from '../compare-stats';
import ChartPanel from '../components/ChartPanel.vue';
import type { CurveSettings } from '../charts/curves';
import CurveControls from '../components/CurveControls.vue';
import StateView from '../components/StateView.vue';
import { useApi } from '../composables/api-context';
import { useCompare } from '../composables/useCompare';
import { useTheme } from '../composables/useTheme';
import { formatMetric, formatP } from '../format';
import type { Route } from '../router';

/** Several runs side by side: overlaid curves, strategy bands, a per-student table and Welch's test. */
export default defineComponent({
  name: 'CompareView',
  props: {
    ids: { type: Array as PropType<number[]>, required: true },
    group: { type: String as PropType<string | null>, default: null },
    navigate: { type: Function as PropType<(route: Route) => void>, required: true },
  },
  setup(props) {
    const api = useApi();
    const { palette } = useTheme();
    const allRuns = shallowRef<RunSummary[]>([]);
    const pickerError = ref<string | null>(null);
    const chosen = ref<number[]>([...props.ids]);
    const { entries, loading, error, reload } = useCompare(chosen);
    const metric = ref<MetricKey>('valMetric');
    const settings = ref<CurveSettings>({ xMode: 'epoch', logY: false, smoothing: 0 });
    const bandStudent = ref<number | 'all'>('all');
    const measure = ref<Measure>('testAtBest');
    const groupA = ref('');
    const groupB = ref('');
    const pickerFilter = ref('');

    onMounted(async () => {
      try {
        allRuns.value = (await api.call('runs.list', { limit: 10_000 })).runs;
        if (props.group && props.ids.length === 0) chosen.value = allRuns.value.filter((r) => r.group === props.group).map((r) => r.id);
      } catch (e) {
        pickerError.value = errorMessage(e);
      }
    });
    watch(
      () => props.ids,
      (ids) => {
        if (ids.length) chosen.value = [...ids];
      },
    );

    const setChosen = (ids: number[]) => {
      chosen.value = ids;
      props.navigate({ view: 'compare', ids, group: null });
    };

    const groups = computed(() => summarizeGroups(entries.value, measure.value));
    watch(groups, (list) => {
      const keys = list.map((g) => g.key);
      if (!keys.includes(groupA.value)) groupA.value = keys[0] ?? '';
      if (!keys.includes(groupB.value) || groupB.value === groupA.value) groupB.value = keys.find((k) => k !== groupA.value) ?? '';
    });
    const welch = computed(() => (groupA.value && groupB.value && groupA.value !== groupB.value ? compareGroups(entries.value, groupA.value, groupB.value, measure.value) : null));

    const curvesOption = computed(() => {
      const curves = entries.value.flatMap((entry, runIndex) =>
        [...studentCurves(entry.metrics, metric.value).entries()].map(([student, points]) => ({
          name: `#${entry.run.id} ${entry.run.strategy} s${student + 1}`,
          points,
          colorIndex: runIndex,
          dashed: student > 0,
        })),
      );
      return { count: curves.length, option: buildCurvesOption(curves, { ...settings.value, yName: METRIC_LABELS[metric.value], palette: palette.value }) };
    });
    const bands = computed(() => [...groupCurves(entries.value, metric.value, bandStudent.value).entries()].map(([label, curves]) => ({ label: `${label} (n=${curves.length})`, band: meanStdBand(curves) })));
    const bandsOption = computed(() => buildBandsOption(bands.value, { xMode: settings.value.xMode, yName: METRIC_LABELS[metric.value], palette: palette.value }));
    const bandsCsv = () =>
      toCsv(
        ['group', 'epoch', 'seconds', 'mean', 'std', 'n'],
        bands.value.flatMap((g) => g.band.map((p) => [g.label, p.epoch, p.seconds, p.mean, p.std, p.n])),
      );
    const curvesCsv = () => metricsCsv(entries.value.map((e) => ({ runId: e.run.id, label: `${e.run.name} (${e.run.strategy})`, metrics: e.metrics })));
    const maxStudents = computed(() => entries.value.reduce((m, e) => Math.max(m, e.run.numStudents), 0));

    const picker = () => {
      const filter = pickerFilter.value.toLowerCase();
      const groupsPresent = [...new Set(allRuns.value.map((r) => r.group).filter((g): g is string => !!g))];
      const visible = allRuns.value.filter((r) => !filter || `${r.id} ${r.name} ${r.strategy} ${r.dataset} ${r.group ?? ''}`.toLowerCase().includes(filter));
      return h('aside', { class: 'panel picker' }, [
        h('header', { class: 'panel-head' }, [h('h3', `Runs (${chosen.value.length} chosen)`), chosen.value.length ? h('button', { class: 'ghost small', onClick: () => setChosen([]) }, 'clear') : null]),
        groupsPresent.length
          ? h(
              'select',
              {
                'aria-label': 'sweep group',
                value: '',
                onChange: (e: Event) => {
                  const g = (e.target as HTMLSelectElement).value;
                  if (g) setChosen(allRuns.value.filter((r) => r.group === g).map((r) => r.id));
                },
              },
              [h('option', { value: '' }, 'pick a sweep group…'), ...groupsPresent.map((g) => h('option', { value: g }, g))],
            )
          : null,
        h('input', { type: 'search', placeholder: 'filter runs', value: pickerFilter.value, onInput: (e: Event) => (pickerFilter.value = (e.target as HTMLInputElement).value) }),
        pickerError.value ? h('div', { class: 'state error' }, pickerError.value) : null,
        h(
          'ul',
          { class: 'pick-list' },
          visible.slice(0, 500).map((r) =>
            h('li', { key: r.id }, [
              h('label', { class: 'inline' }, [
                h('input', {
                  type: 'checkbox',
                  'data-pick': r.id,
                  checked: chosen.value.includes(r.id),
                  onChange: (e: Event) => setChosen((e.target as HTMLInputElement).checked ? [...chosen.value, r.id] : chosen.value.filter((id) => id !== r.id)),
                }),
                ` #${r.id} ${r.name || ''} `,
                h('span', { class: 'muted' }, `${r.strategy} · seed ${r.seed}`),
              ]),
            ]),
          ),
        ),
      ]);
    };

    const table = () =>
      h('section', { class: 'panel' }, [
        h('header', { class: 'panel-head' }, h('h3', 'Best per student')),
        h('table', { class: 'dense compare-table' }, [
          h('thead', h('tr', ['run', 'strategy', 'seed', 'student', 'best val', '@epoch', 'test@best', 'ep→95%', 'ep→99%', 's→95%', 's→99%'].map((c) => h('th', c)))),
          h(
            'tbody',
            entries.value.flatMap((e) =>
              e.run.students.map((s) =>
                h('tr', { key: `${e.run.id}-${s.idx}` }, [
                  h('td', [h('a', { href: `#/runs/${e.run.id}` }, `#${e.run.id}`), ` ${e.run.name}`]),
                  h('td', e.run.strategy),
                  h('td', { class: 'num' }, String(e.run.seed)),
                  h('td', { class: 'num' }, String(s.idx + 1)),
                  h('td', { class: 'num mono' }, formatMetric(s.bestVal)),
                  h('td', { class: 'num' }, s.bestEpoch ?? '—'),
                  h('td', { class: 'num mono' }, formatMetric(s.testAtBest)),
                  h('td', { class: 'num' }, s.epochsTo95 ?? '—'),
                  h('td', { class: 'num' }, s.epochsTo99 ?? '—'),
                  h('td', { class: 'num' }, s.secondsTo95 === null ? '—' : s.secondsTo95.toFixed(1)),
                  h('td', { class: 'num' }, s.secondsTo99 === null ? '—' : s.secondsTo99.toFixed(1)),
                ]),
              ),
            ),
          ),
        ]),
      ]);

    const significance = () => {
      const keys = groups.value.map((g) => g.key);
      const w = welch.value;
      const groupSelect = (model: typeof groupA, label: string) =>
        h('select', { 'aria-label': label, value: model.value, onChange: (e: Event) => (model.value = (e.target as HTMLSelectElement).value) }, keys.map((k) => h('option', { value: k }, k)));
      return h('section', { class: 'panel significance', 'data-test': 'welch' }, [
        h('header', { class: 'panel-head' }, [
          h('h3', "Groups and Welch's t-test"),
          h('div', { class: 'panel-tools' }, [
            h('select', { 'aria-label': 'measure', value: measure.value, onChange: (e: Event) => (measure.value = (e.target as HTMLSelectElement).value as Measure) }, (Object.keys(MEASURE_LABELS) as Measure[]).map((m) => h('option', { value: m }, MEASURE_LABELS[m]))),
          ]),
        ]),
        h('table', { class: 'dense' }, [
          h('thead', h('tr', ['group (strategy)', 'runs', `mean ${MEASURE_LABELS[measure.value]}`, 'std'].map((c) => h('th', c)))),
          h(
            'tbody',
            groups.value.map((g) => h('tr', { key: g.key }, [h('td', g.key), h('td', { class: 'num' }, String(g.scores.length)), h('td', { class: 'num mono' }, formatMetric(g.mean)), h('td', { class: 'num mono' }, formatMetric(g.std))])),
          ),
        ]),
        keys.length < 2
          ? h('p', { class: 'muted' }, 'Pick runs of at least two strategies to test a difference.')
          : h('div', { class: 'welch' }, [
              h('div', { class: 'button-row' }, [groupSelect(groupA, 'group A'), h('span', 'vs'), groupSelect(groupB, 'group B')]),
              w
                ? h('p', { class: 'mono welch-result' }, [
                    `Δ = ${w.difference >= 0 ? '+' : ''}${w.difference.toFixed(4)}  t = ${Number.isFinite(w.t) ? w.t.toFixed(3) : String(w.t)}  df = ${w.df.toFixed(2)}  p = ${formatP(w.p)}  `,
                    h('strong', { class: w.p < 0.05 ? 'good' : 'muted' }, w.p < 0.05 ? `significant at 5% (${w.meanA > w.meanB ? groupA.value : groupB.value} higher)` : 'not significant at 5%'),
                  ])
                : h('p', { class: 'muted' }, 'Each group needs at least two runs with a recorded score (different seeds).'),
            ]),
        h('p', { class: 'muted small' }, 'One sample per run: the mean over its students (students of one run learn from each other, so they are not independent).'),
      ]);
    };

    return () =>
      h('div', { class: 'view compare-view' }, [
        h('div', { class: 'compare-layout' }, [
          picker(),
          h('div', { class: 'compare-main' }, [
            h('div', { class: 'toolbar' }, [
              h('label', { class: 'inline' }, [
                'metric ',
                h(
                  'select',
                  { 'aria-label': 'metric', value: metric.value, onChange: (e: Event) => (metric.value = (e.target as HTMLSelectElement).value as MetricKey) },
                  (Object.keys(METRIC_LABELS) as MetricKey[]).map((m) => h('option', { value: m }, METRIC_LABELS[m])),
                ),
              ]),
              h(CurveControls, { modelValue: settings.value, 'onUpdate:modelValue': (v: CurveSettings) => (settings.value = v) }),
              h('span', { class: 'spacer' }),
              h('button', { class: 'small', disabled: chosen.value.length === 0, onClick: () => props.navigate({ view: 'heatmaps', left: chosen.value[0] ?? null, right: chosen.value[1] ?? null }) }, 'Heatmaps of the first two'),
            ]),
            h(
              StateView,
              { loading: loading.value, error: error.value, empty: entries.value.length === 0, emptyText: 'Pick runs on the left (or a sweep group) to compare them.', retry: reload },
              () => [
                h('div', { class: 'chart-grid two' }, [
                  h(ChartPanel, { title: `${METRIC_LABELS[metric.value]}: every run`, option: curvesOption.value.option, csv: curvesCsv, height: '300px', empty: curvesOption.value.count ? '' : 'No values recorded yet' }),
                  h(
                    ChartPanel,
                    { title: `${METRIC_LABELS[metric.value]}: mean ± std by strategy`, option: bandsOption.value, csv: bandsCsv, height: '300px', empty: bands.value.some((b) => b.band.length) ? '' : 'No values recorded yet' },
                    () =>
                      h(
                        'select',
                        { 'aria-label': 'band student', value: String(bandStudent.value), onChange: (e: Event) => ((v) => (bandStudent.value = v === 'all' ? 'all' : Number(v)))((e.target as HTMLSelectElement).value) },
                        [h('option', { value: 'all' }, 'all students'), ...Array.from({ length: maxStudents.value }, (_, i) => h('option', { value: String(i) }, `student ${i + 1}`))],
                      ),
                  ),
                ]),
                significance(),
                table(),
              ],
            ),
          ]),
        ]),
      ]);
  },
});
