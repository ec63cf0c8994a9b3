import { computed, defineComponent, h, onUnmounted, reactive, ref, watch, type PropType } from 'vue';
import { RUN_STATUS_VALUES, type RunStatus, type RunSummary } from '../../../contract/api';
import { STRATEGIES } from '../../../contract/run-config';
import ConfirmDialog from '../components/ConfirmDialog.vue';
import StateView from '../components/StateView.vue';
import StatusBadge from '../components/StatusBadge.vue';
import { useApi } from '../composables/api-context';
import { useRuns } from '../composables/useRuns';
import { downloadText } from '../download';
import { formatDate, formatDuration, formatMetric } from '../format';
import type { Route } from '../router';
import { applyTableQuery, DEFAULT_QUERY, runDurationMs, runProgress, toggleSort, type SortKey, type TableQuery } from '../runs-table';

const COLUMNS: { key: SortKey | null; label: string; title?: string }[] = [
  { key: 'id', label: '#' },
  { key: 'name', label: 'Name' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'model', label: 'Model' },
  { key: 'strategy', label: 'Strategy' },
  { key: 'numStudents', label: 'K', title: 'students' },
  { key: 'numLayers', label: 'L', title: 'hidden layers' },
  { key: 'seed', label: 'Seed' },
  { key: 'progress', label: 'Status' },
  { key: 'best', label: 'Best val per student', title: 'best validation metric of each student (test at that epoch in the tooltip)' },
  { key: 'duration', label: 'Duration' },
  { key: null, label: 'Tags' },
  { key: 'createdAt', label: 'Created' },
];

const CANCELLABLE = new Set<RunStatus>(['queued', 'running']);
const RESUMABLE = new Set<RunStatus>(['interrupted', 'failed', 'cancelled']);

/** The experiment manager: every run in one dense table, with the actions a researcher repeats. */
export default defineComponent({
  name: 'RunsView',
  props: {
    navigate: { type: Function as PropType<(route: Route) => void>, required: true },
  },
  setup(props, { expose }) {
    const runsState = useRuns();
    const { runs, loading, error } = runsState;
    const query = reactive<TableQuery>({ ...DEFAULT_QUERY });
    const selected = ref(new Set<number>());
    const focusedId = ref<number | null>(null);
    const confirmDelete = ref<number[] | null>(null);
    const forceDelete = ref(false);
    const message = ref<{ kind: 'ok' | 'error'; text: string } | null>(null);
    const searchInput = ref<HTMLInputElement | null>(null);
    const now = ref(Date.now());
    // durations of running runs tick once a second
    const ticker = setInterval(() => (now.value = Date.now()), 1000);
    onUnmounted(() => clearInterval(ticker));

    const rows = computed(() => applyTableQuery(runs.value, query, now.value));
    const focused = computed(() => runs.value.find((r) => r.id === focusedId.value) ?? null);
    const draft = reactive({ name: '', tags: '', notes: '' });
    const api = useApi();
    watch(focused, async (run, previous) => {
      if (!run || run.id === previous?.id) return;
      draft.name = run.name;
      draft.tags = run.tags.join(', ');
      draft.notes = '';
      // notes are not part of the list; fetch them for the inspector
      try {
        const detail = await api.call('runs.get', { id: run.id });
        if (focusedId.value === run.id) draft.notes = detail.notes;
      } catch {
        // the inspector still edits name and tags
      }
    });

    // runs that disappear (deleted elsewhere) leave the selection
    watch(runs, (list) => {
      const ids = new Set(list.map((r) => r.id));
      const kept = [...selected.value].filter((id) => ids.has(id));
      if (kept.length !== selected.value.size) selected.value = new Set(kept);
    });

    const report = (error: string | null, ok: string) => (message.value = error ? { kind: 'error', text: error } : { kind: 'ok', text: ok });

    function toggle(id: number): void {
      const next = new Set(selected.value);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      selected.value = next;
    }
    function toggleAll(): void {
      const visible = rows.value.map((r) => r.id);
      const allSelected = visible.length > 0 && visible.every((id) => selected.value.has(id));
      selected.value = allSelected ? new Set() : new Set(visible);
    }
    async function exportSelected(format: 'csv' | 'json'): Promise<void> {
      const ids = selected.value.size ? [...selected.value] : rows.value.map((r) => r.id);
      if (ids.length === 0) return;
      try {
        const file = await runsState.exportRuns(ids.slice(0, 1000), format);
        downloadText(file.filename, file.mimeType, file.content);
        report(null, `Exported ${ids.length} run(s) as ${format.toUpperCase()}`);
      } catch (e) {
        report(e instanceof Error ? e.message : String(e), '');
      }
    }
    async function doDelete(): Promise<void> {
      const ids = confirmDelete.value ?? [];
      confirmDelete.value = null;
      const err = await runsState.remove(ids, forceDelete.value);
      forceDelete.value = false;
      if (!err) {
        selected.value = new Set([...selected.value].filter((id) => !ids.includes(id)));
        if (focusedId.value !== null && ids.includes(focusedId.value)) focusedId.value = null;
      }
      report(err, `Deleted ${ids.length} run(s)`);
    }
    async function saveDraft(run: RunSummary): Promise<void> {
      const tags = draft.tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      let err: string | null = null;
      if (draft.name !== run.name) err = await runsState.rename(run.id, draft.name);
      if (!err && tags.join(',') !== run.tags.join(',')) err = await runsState.tag(run.id, tags);
      if (!err) err = await runsState.note(run.id, draft.notes);
      report(err, `Saved run ${run.id}`);
    }

    expose({ focusSearch: () => searchInput.value?.focus() });

    const header = () =>
      h('thead', [
        h('tr', [
          h('th', { class: 'check' }, [h('input', { type: 'checkbox', 'aria-label': 'select all', checked: rows.value.length > 0 && rows.value.every((r) => selected.value.has(r.id)), onChange: toggleAll })]),
          ...COLUMNS.map((c) =>
            h(
              'th',
              {
                title: c.title,
                class: [c.key ? 'sortable' : '', c.key === query.sortKey ? 'sorted' : ''],
                'aria-sort': c.key === query.sortKey ? (query.descending ? 'descending' : 'ascending') : undefined,
                onClick: c.key ? () => Object.assign(query, toggleSort(query, c.key!)) : undefined,
              },
              [c.label, c.key === query.sortKey ? (query.descending ? ' ▾' : ' ▴') : ''],
            ),
          ),
        ]),
      ]);

    const row = (run: RunSummary) =>
      h('tr', { key: run.id, class: { selected: selected.value.has(run.id), focused: run.id === focusedId.value }, 'data-run-id': run.id, onClick: () => (focusedId.value = run.id) }, [
        h('td', { class: 'check' }, [h('input', { type: 'checkbox', 'aria-label': `select run ${run.id}`, checked: selected.value.has(run.id), onClick: (e: Event) => e.stopPropagation(), onChange: () => toggle(run.id) })]),
        h('td', { class: 'num muted' }, String(run.id)),
        h('td', { class: 'name' }, [
          h('a', { href: `#/runs/${run.id}`, onClick: (e: Event) => e.stopPropagation() }, run.name || `run ${run.id}`),
          run.group ? h('span', { class: 'chip muted', title: 'sweep group' }, run.group) : null,
        ]),
        h('td', run.dataset),
        h('td', run.model),
        h('td', run.strategy),
        h('td', { class: 'num' }, String(run.numStudents)),
        h('td', { class: 'num' }, String(run.numLayers)),
        h('td', { class: 'num' }, String(run.seed)),
        h('td', { title: run.error ?? undefined }, [h(StatusBadge, { status: run.status, progress: runProgress(run), epochs: run.epochs, planned: run.plannedEpochs })]),
        h(
          'td',
          { class: 'num mono', title: run.students.map((s) => `student ${s.idx + 1}: val ${formatMetric(s.bestVal)} @${s.bestEpoch ?? '—'}, test ${formatMetric(s.testAtBest)}`).join('\n') },
          run.students.length ? run.students.map((s) => formatMetric(s.bestVal, 3)).join(' · ') : '—',
        ),
        h('td', { class: 'num' }, formatDuration(runDurationMs(run, now.value))),
        h('td', run.tags.map((t) => h('span', { class: 'chip', key: t }, t))),
        h('td', { class: 'muted nowrap' }, formatDate(run.createdAt)),
      ]);

    const inspector = (run: RunSummary) =>
      h('aside', { class: 'inspector panel' }, [
        h('header', { class: 'panel-head' }, [h('h3', `Run ${run.id}`), h('button', { class: 'ghost small', onClick: () => (focusedId.value = null), title: 'Close' }, '×')]),
        h('label', ['Name', h('input', { value: draft.name, 'data-test': 'rename', onInput: (e: Event) => (draft.name = (e.target as HTMLInputElement).value) })]),
        h('label', ['Tags (comma separated)', h('input', { value: draft.tags, 'data-test': 'tags', onInput: (e: Event) => (draft.tags = (e.target as HTMLInputElement).value) })]),
        h('label', ['Notes', h('textarea', { rows: 3, value: draft.notes, placeholder: 'what this run is for', onInput: (e: Event) => (draft.notes = (e.target as HTMLTextAreaElement).value) })]),
        h('div', { class: 'button-row' }, [
          h('button', { class: 'primary small', onClick: () => saveDraft(run) }, 'Save'),
          h('button', { class: 'small', onClick: () => props.navigate({ view: 'run', id: run.id }) }, 'Open'),
          h('button', { class: 'small', title: 'Queue a new run with the same config', onClick: async () => report(await runsState.rerun(run.id), `Re-queued run ${run.id}`) }, 'Re-run'),
          h('button', { class: 'small', onClick: () => props.navigate({ view: 'new', from: run.id }) }, 'Edit & run'),
          CANCELLABLE.has(run.status) ? h('button', { class: 'small', onClick: async () => report(await runsState.cancel(run.id), `Cancel requested for run ${run.id}`) }, 'Cancel') : null,
          RESUMABLE.has(run.status) ? h('button', { class: 'small', onClick: async () => report(await runsState.resume(run.id), `Resumed run ${run.id}`) }, 'Resume') : null,
          h('button', { class: 'danger small', onClick: () => (confirmDelete.value = [run.id]) }, 'Delete'),
        ]),
        run.error ? h('p', { class: 'error-text' }, run.error) : null,
      ]);

    const toolbar = () => {
      const strategiesPresent = [...new Set(runs.value.map((r) => r.strategy))].sort();
      const chosen = [...selected.value];
      return h('div', { class: 'toolbar' }, [
        h('input', {
          ref: searchInput,
          id: 'run-search',
          type: 'search',
          class: 'search',
          placeholder: 'Search (/) e.g. cora strategy:oc tag:final',
          value: query.search,
          onInput: (e: Event) => (query.search = (e.target as HTMLInputElement).value),
        }),
        h(
          'div',
          { class: 'chips', role: 'group', 'aria-label': 'status filter' },
          RUN_STATUS_VALUES.map((status) =>
            h(
              'button',
              {
                class: ['chip-toggle', `status-${status}`, query.statuses.includes(status) ? 'on' : ''],
                'aria-pressed': query.statuses.includes(status),
                onClick: () => (query.statuses = query.statuses.includes(status) ? query.statuses.filter((s) => s !== status) : [...query.statuses, status]),
              },
              `${status} ${runs.value.filter((r) => r.status === status).length}`,
            ),
          ),
        ),
        h(
          'select',
          {
            'aria-label': 'strategy filter',
            value: query.strategies[0] ?? '',
            onChange: (e: Event) => {
              const v = (e.target as HTMLSelectElement).value;
              query.strategies = v ? [v] : [];
            },
          },
          [h('option', { value: '' }, 'all strategies'), ...[...new Set([...STRATEGIES.filter((s) => strategiesPresent.includes(s)), ...strategiesPresent])].map((s) => h('option', { value: s }, s))],
        ),
        h('span', { class: 'spacer' }),
        h('span', { class: 'muted' }, `${rows.value.length}/${runs.value.length} runs${chosen.length ? ` · ${chosen.length} selected` : ''}`),
        h('button', { disabled: chosen.length === 0, onClick: () => props.navigate({ view: 'compare', ids: chosen, group: null }) }, 'Compare'),
        h('button', { disabled: chosen.length === 0 || chosen.length > 2, onClick: () => props.navigate({ view: 'heatmaps', left: chosen[0] ?? null, right: chosen[1] ?? null }) }, 'Heatmaps'),
        h('span', { class: 'muted' }, 'export'),
        h('button', { onClick: () => exportSelected('csv'), title: 'Export the selected runs (or all shown) as CSV' }, 'CSV'),
        h('button', { onClick: () => exportSelected('json'), title: 'Export the selected runs (or all shown) as JSON' }, 'JSON'),
        h('button', { class: 'danger', disabled: chosen.length === 0, onClick: () => (confirmDelete.value = chosen) }, 'Delete'),
        h('button', { class: 'primary', onClick: () => props.navigate({ view: 'new', from: null }) }, 'New experiment (n)'),
      ]);
    };

    return () => {
      const deleting = confirmDelete.value;
      const runningInDelete = deleting ? runs.value.filter((r) => deleting.includes(r.id) && CANCELLABLE.has(r.status)).length : 0;
      return h('div', { class: 'view runs-view' }, [
        toolbar(),
        message.value ? h('div', { class: ['flash', message.value.kind], role: 'status', onClick: () => (message.value = null) }, message.value.text) : null,
        h('div', { class: 'split' }, [
          h('div', { class: 'table-wrap' }, [
            h(
              StateView,
              { loading: loading.value, error: error.value, empty: runs.value.length === 0, retry: runsState.refresh },
              {
                empty: () => [h('p', 'No runs yet.'), h('button', { class: 'primary', onClick: () => props.navigate({ view: 'new', from: null }) }, 'Start an experiment')],
                default: () =>
                  rows.value.length === 0
                    ? h('div', { class: 'state empty' }, 'No run matches the search and filters.')
                    : h('table', { class: 'runs-table dense' }, [header(), h('tbody', rows.value.map(row))]),
              },
            ),
          ]),
          focused.value ? inspector(focused.value) : null,
        ]),
        deleting
          ? h(
              ConfirmDialog,
              {
                title: `Delete ${deleting.length} run(s)?`,
                message: `Runs ${deleting.join(', ')} and all their metrics, heatmaps and checkpoints will be removed. This cannot be undone.`,
                confirmLabel: 'Delete',
                danger: true,
                onConfirm: doDelete,
                onCancel: () => ((confirmDelete.value = null), (forceDelete.value = false)),
              },
              () =>
                runningInDelete > 0
                  ? h('label', { class: 'inline' }, [
                      h('input', { type: 'checkbox', checked: forceDelete.value, onChange: (e: Event) => (forceDelete.value = (e.target as HTMLInputElement).checked) }),
                      ` ${runningInDelete} of them are still queued or running: stop and delete them anyway`,
                    ])
                  : null,
            )
          : null,
      ]);
    };
  },
});
