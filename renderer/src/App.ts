import { defineComponent, h, ref, type PropType } from 'vue';
import type { WorkbenchClient } from './api/client';
import StatusBar from './components/StatusBar.vue';
import { provideApi } from './composables/api-context';
import { useRouter } from './composables/useRouter';
import { useShortcuts, type Shortcut } from './composables/useShortcuts';
import { useTheme } from './composables/useTheme';
import CompareView from './views/CompareView';
import DatasetsView from './views/DatasetsView';
import HeatmapsView from './views/HeatmapsView';
import NewExperimentView from './views/NewExperimentView';
import RunsView from './views/RunsView';
import RunView from './views/RunView';

const NAV: { view: 'runs' | 'new' | 'compare' | 'heatmaps' | 'datasets'; label: string; hash: string }[] = [
  { view: 'runs', label: 'Runs', hash: '#/runs' },
  { view: 'new', label: 'New', hash: '#/new' },
  { view: 'compare', label: 'Compare', hash: '#/compare' },
  { view: 'heatmaps', label: 'Heatmaps', hash: '#/heatmaps' },
  { view: 'datasets', label: 'Datasets', hash: '#/datasets' },
];

/** The workbench shell: navigation, the current view, the status bar, shortcuts and their help. */
export default defineComponent({
  name: 'App',
  props: {
    client: { type: Object as PropType<WorkbenchClient>, required: true },
  },
  setup(props) {
    provideApi(props.client);
    const { route, navigate } = useRouter();
    const { theme, toggle } = useTheme();
    const helpOpen = ref(false);
    const runsView = ref<{ focusSearch: () => void } | null>(null);

    const shortcuts: Shortcut[] = [
      { keys: 'n', description: 'new experiment', run: () => navigate({ view: 'new', from: null }) },
      { keys: '/', description: 'search runs', run: () => (route.value.view === 'runs' ? runsView.value?.focusSearch() : (navigate({ view: 'runs' }), setTimeout(() => runsView.value?.focusSearch(), 50))) },
      { keys: 'g r', description: 'go to runs', run: () => navigate({ view: 'runs' }) },
      { keys: 'g c', description: 'go to compare', run: () => navigate({ view: 'compare', ids: [], group: null }) },
      { keys: 'g h', description: 'go to heatmaps', run: () => navigate({ view: 'heatmaps', left: null, right: null }) },
      { keys: 'g d', description: 'go to datasets', run: () => navigate({ view: 'datasets' }) },
      { keys: 't', description: 'toggle light / dark theme', run: toggle },
      { keys: '?', description: 'show this help', run: () => (helpOpen.value = !helpOpen.value) },
      { keys: 'Escape', description: 'close dialogs', run: () => (helpOpen.value = false) },
    ];
    useShortcuts(() => shortcuts);

    const view = () => {
      const r = route.value;
      switch (r.view) {
        case 'runs':
          return h(RunsView, { ref: runsView, navigate });
        case 'new':
          return h(NewExperimentView, { key: `new-${r.from}-${r.data}`, from: r.from, data: r.data ?? null, navigate });
        case 'run':
          return h(RunView, { key: `run-${r.id}`, id: r.id, navigate });
        case 'compare':
          return h(CompareView, { ids: r.ids, group: r.group, navigate });
        case 'heatmaps':
          return h(HeatmapsView, { left: r.left, right: r.right, navigate });
        case 'datasets':
          return h(DatasetsView, { navigate });
      }
    };

    const help = () =>
      h('div', { class: 'overlay', onClick: () => (helpOpen.value = false) }, [
        h('div', { class: 'dialog', role: 'dialog', 'aria-label': 'Keyboard shortcuts' }, [
          h('h3', 'Keyboard shortcuts'),
          h('table', { class: 'dense' }, h('tbody', shortcuts.map((s) => h('tr', { key: s.keys }, [h('td', h('kbd', s.keys)), h('td', s.description)])))),
        ]),
      ]);

    return () =>
      h('div', { class: 'app' }, [
        h('header', { class: 'top-bar' }, [
          h('span', { class: 'brand' }, 'Alignahead'),
          h(
            'nav',
            NAV.map((item) =>
              h('a', { href: item.hash, class: { active: route.value.view === item.view || (item.view === 'runs' && route.value.view === 'run') }, 'data-nav': item.view }, item.label),
            ),
          ),
          h('span', { class: 'spacer' }),
          h('button', { class: 'ghost small', title: 'Toggle theme (t)', onClick: toggle }, theme.value === 'dark' ? '☀ light' : '☾ dark'),
          h('button', { class: 'ghost small', title: 'Keyboard shortcuts (?)', onClick: () => (helpOpen.value = true) }, '?'),
        ]),
        h('main', { class: 'content' }, [view()]),
        h(StatusBar),
        helpOpen.value ? help() : null,
      ]);
  },
});
