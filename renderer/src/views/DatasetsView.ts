import { computed, defineComponent, h, reactive, ref, shallowRef, type PropType } from 'vue';
import type { CatalogItem, DatasetStatsView } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { bucketLabels, buildHistogramOption } from '../charts/histogram';
import { toCsv } from '../charts/csv';
import ChartPanel from '../components/ChartPanel.vue';
import StateView from '../components/StateView.vue';
import { useDatasets } from '../composables/useDatasets';
import { useTheme } from '../composables/useTheme';
import { formatBytes } from '../format';
import type { Route } from '../router';

type Generator = { kind: 'csbm' | 'ppi-like'; nodes: number; edges: number; classes: number; features: number; noise: number; homophily: number; graphs: number };

/** The dataset catalog, local import, the synthetic generator, and statistics of whichever is chosen. */
export default defineComponent({
  name: 'DatasetsView',
  props: {
    navigate: { type: Function as PropType<(route: Route) => void>, required: true },
  },
  setup(props) {
    const datasets = useDatasets();
    const { palette } = useTheme();
    const stats = shallowRef<(DatasetStatsView & { spec?: string }) | null>(null);
    const statsLoading = ref(false);
    const statsError = ref<string | null>(null);
    const actionError = ref<string | null>(null);
    const logDegrees = ref(true);
    const importForm = reactive({ path: '', name: '', format: '' as '' | 'npz' | 'ppi' | 'csv' });
    const generator = reactive<Generator>({ kind: 'csbm', nodes: 2000, edges: 20000, classes: 5, features: 32, noise: 2, homophily: 0.8, graphs: 24 });

    async function show(load: () => Promise<DatasetStatsView & { spec?: string }>): Promise<void> {
      statsLoading.value = true;
      statsError.value = null;
      try {
        stats.value = await load();
      } catch (e) {
        statsError.value = errorMessage(e);
      } finally {
        statsLoading.value = false;
      }
    }

    const histogramOption = computed(() => (stats.value ? buildHistogramOption(stats.value.degreeHistogram, { palette: palette.value, logY: logDegrees.value }) : {}));
    const histogramCsv = () => {
      const hist = stats.value?.degreeHistogram;
      if (!hist) return '';
      const labels = bucketLabels(hist.bucketEdges);
      return toCsv(['degree', 'nodes'], hist.counts.map((c, i) => [labels[i] ?? i, c]));
    };

    const downloadCell = (item: CatalogItem) => {
      const progress = datasets.downloads.get(item.name);
      if (item.synthetic) return h('span', { class: 'muted' }, 'generated');
      if (progress && !progress.done && !progress.error) {
        const fraction = progress.totalBytes ? progress.receivedBytes / progress.totalBytes : null;
        return h('span', { class: 'download-progress' }, [
          h('span', { class: 'progress' }, h('span', { class: 'progress-fill', style: { width: fraction === null ? '100%' : `${(fraction * 100).toFixed(1)}%` } })),
          ` ${formatBytes(progress.receivedBytes)}${progress.totalBytes ? ` / ${formatBytes(progress.totalBytes)}` : ''}`,
        ]);
      }
      return h('span', [
        item.available ? h('span', { class: 'good' }, '✓ available ') : null,
        progress?.error ? h('span', { class: 'error-text', title: progress.error }, 'failed ') : null,
        item.available ? null : h('button', { class: 'small', onClick: async () => (actionError.value = await datasets.download(item.name)) }, progress?.error ? 'Retry' : 'Download'),
      ]);
    };

    const numberInput = (key: keyof Generator, label: string, step = 1) =>
      h('label', { class: 'field' }, [
        h('span', { class: 'field-label' }, label),
        h('input', { type: 'number', name: `gen-${key}`, step, value: generator[key], onInput: (e: Event) => ((generator as Record<string, unknown>)[key] = Number((e.target as HTMLInputElement).value)) }),
      ]);

    return () =>
      h('div', { class: 'view datasets-view' }, [
        h('div', { class: 'datasets-layout' }, [
          h('div', { class: 'datasets-main' }, [
            h('section', { class: 'panel' }, [
              h('header', { class: 'panel-head' }, h('h3', 'Catalog')),
              actionError.value ? h('div', { class: 'state error', role: 'alert' }, actionError.value) : null,
              h(StateView, { loading: datasets.loading.value, error: datasets.error.value, empty: datasets.catalog.value.length === 0, retry: datasets.refresh }, () =>
                h('table', { class: 'dense catalog' }, [
                  h('thead', h('tr', ['name', 'title', 'task', 'size', 'status', ''].map((c) => h('th', c)))),
                  h(
                    'tbody',
                    datasets.catalog.value.map((item) =>
                      h('tr', { key: item.name, title: item.citation }, [
                        h('td', { class: 'mono' }, item.name),
                        h('td', item.title),
                        h('td', item.task),
                        h('td', { class: 'muted' }, item.sizeHint),
                        h('td', downloadCell(item)),
                        h('td', { class: 'nowrap' }, [
                          h('button', { class: 'small', disabled: !item.available, onClick: () => show(() => datasets.inspect(item.name)) }, 'Statistics'),
                          h('button', { class: 'small', disabled: !item.available, onClick: () => props.navigate({ view: 'new', from: null, data: item.name }) }, 'Use'),
                        ]),
                      ]),
                    ),
                  ),
                ]),
              ),
            ]),
            h('section', { class: 'panel' }, [
              h('header', { class: 'panel-head' }, h('h3', 'Synthetic generator')),
              h('form', { class: 'fields', onSubmit: (e: Event) => (e.preventDefault(), show(() => datasets.generate({ ...generator, graphs: generator.kind === 'ppi-like' ? generator.graphs : undefined, noise: generator.kind === 'csbm' ? generator.noise : undefined, homophily: generator.kind === 'csbm' ? generator.homophily : undefined }))) }, [
                h('label', { class: 'field' }, [
                  h('span', { class: 'field-label' }, 'Kind'),
                  h('select', { name: 'gen-kind', value: generator.kind, onChange: (e: Event) => (generator.kind = (e.target as HTMLSelectElement).value as Generator['kind']) }, [h('option', { value: 'csbm' }, 'CSBM (one graph, classes)'), h('option', { value: 'ppi-like' }, 'PPI-like (many graphs, multi-label)')]),
                ]),
                numberInput('nodes', generator.kind === 'ppi-like' ? 'Nodes per graph' : 'Nodes'),
                numberInput('edges', generator.kind === 'ppi-like' ? 'Edges per graph' : 'Edges'),
                numberInput('classes', generator.kind === 'ppi-like' ? 'Labels' : 'Classes'),
                numberInput('features', 'Features'),
                generator.kind === 'csbm' ? numberInput('noise', 'Feature noise', 0.5) : numberInput('graphs', 'Graphs'),
                generator.kind === 'csbm' ? numberInput('homophily', 'Homophily', 0.05) : null,
                h('div', { class: 'field' }, [h('span', { class: 'field-label' }, '\u00a0'), h('button', { type: 'submit', class: 'primary' }, 'Generate & inspect')]),
              ]),
            ]),
            h('section', { class: 'panel' }, [
              h('header', { class: 'panel-head' }, h('h3', 'Import a local dataset')),
              h('form', { class: 'fields', onSubmit: (e: Event) => (e.preventDefault(), show(() => datasets.importDataset({ path: importForm.path, name: importForm.name, ...(importForm.format ? { format: importForm.format } : {}) }))) }, [
                h('label', { class: 'field wide' }, [h('span', { class: 'field-label' }, 'Path (file or folder inside the allowed data folder)'), h('input', { name: 'import-path', value: importForm.path, placeholder: '/data/graphs/my-graph.npz', onInput: (e: Event) => (importForm.path = (e.target as HTMLInputElement).value) })]),
                h('label', { class: 'field' }, [h('span', { class: 'field-label' }, 'Name'), h('input', { name: 'import-name', value: importForm.name, placeholder: 'my-graph', onInput: (e: Event) => (importForm.name = (e.target as HTMLInputElement).value) })]),
                h('label', { class: 'field' }, [
                  h('span', { class: 'field-label' }, 'Format'),
                  h('select', { value: importForm.format, onChange: (e: Event) => (importForm.format = (e.target as HTMLSelectElement).value as typeof importForm.format) }, [h('option', { value: '' }, 'detect'), h('option', { value: 'npz' }, 'npz'), h('option', { value: 'ppi' }, 'ppi folder'), h('option', { value: 'csv' }, 'csv folder')]),
                ]),
                h('div', { class: 'field' }, [h('span', { class: 'field-label' }, '\u00a0'), h('button', { type: 'submit', disabled: !importForm.path || !importForm.name }, 'Validate & import')]),
              ]),
            ]),
          ]),
          h('aside', { class: 'panel dataset-stats' }, [
            h('header', { class: 'panel-head' }, h('h3', stats.value ? `Statistics: ${stats.value.name}` : 'Statistics')),
            h(StateView, { loading: statsLoading.value, error: statsError.value, empty: !stats.value, emptyText: statsLoading.value ? 'Reading the dataset…' : 'Choose "Statistics" on a dataset, or generate one.' }, () => {
              const s = stats.value!;
              return [
                h('table', { class: 'kv dense' }, [
                  h(
                    'tbody',
                    (
                      [
                        ['reference', s.spec ?? s.ref],
                        ['task', s.task],
                        ['graphs', s.graphs],
                        ['nodes', s.nodes.toLocaleString()],
                        ['edges', s.edges.toLocaleString()],
                        ['features', s.features],
                        ['classes', s.classes],
                        ['homophily', s.homophily === null ? '—' : s.homophily.toFixed(3)],
                        ['isolated nodes', s.isolatedNodes],
                      ] as [string, unknown][]
                    ).map(([k, v]) => h('tr', { key: k }, [h('th', k), h('td', { class: 'mono' }, String(v))])),
                  ),
                ]),
                h(ChartPanel, { title: 'Degree histogram', option: histogramOption.value, csv: histogramCsv, height: '220px' }, () =>
                  h('label', { class: 'inline' }, [h('input', { type: 'checkbox', checked: logDegrees.value, onChange: (e: Event) => (logDegrees.value = (e.target as HTMLInputElement).checked) }), ' log']),
                ),
                h('button', { class: 'primary', onClick: () => props.navigate({ view: 'new', from: null, data: s.spec ?? s.ref }) }, 'New experiment on this data'),
              ];
            }),
          ]),
        ]),
      ]);
  },
});
