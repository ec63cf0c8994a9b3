import type { RunStatus, RunSummary } from '../../contract/api';
import { elapsedMs } from './format';

/**
 * The experiment manager's table logic, free of the DOM: the columns it sorts by, the free-text
 * search, the status/strategy filters and the sort. The view only renders what this returns.
 */

export type SortKey =
  | 'id'
  | 'name'
  | 'dataset'
  | 'model'
  | 'strategy'
  | 'numStudents'
  | 'numLayers'
  | 'seed'
  | 'status'
  | 'progress'
  | 'best'
  | 'duration'
  | 'createdAt';

export interface TableQuery {
  search: string;
  statuses: RunStatus[];
  strategies: string[];
  sortKey: SortKey;
  descending: boolean;
}

export const DEFAULT_QUERY: TableQuery = { search: '', statuses: [], strategies: [], sortKey: 'createdAt', descending: true };

/** Fraction of planned epochs done, 0..1; completed runs count as full even when stopped early. */
export function runProgress(run: RunSummary): number {
  if (run.status === 'completed') return 1;
  if (!run.plannedEpochs) return 0;
  return Math.min(1, run.epochs / run.plannedEpochs);
}

/** Best validation metric over the run's students, or null before the first evaluation. */
function bestValidation(run: RunSummary): number | null {
  let best: number | null = null;
  for (const s of run.students) if (s.bestVal !== null && (best === null || s.bestVal > best)) best = s.bestVal;
  return best;
}

export function runDurationMs(run: RunSummary, now = Date.now()): number | null {
  return elapsedMs(run.startedAt, run.finishedAt, now);
}

/**
 * Search terms are whitespace-separated and must all match (AND). A term `key:value` matches one
 * field (name, dataset, model, strategy, status, tag, group, seed, worker); a bare term matches any of them.
 */
function matchesSearch(run: RunSummary, search: string): boolean {
  const terms = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const fields: Record<string, string[]> = {
    name: [run.name],
    dataset: [run.dataset],
    model: [run.model],
    strategy: [run.strategy],
    status: [run.status],
    tag: run.tags,
    group: run.group ? [run.group] : [],
    seed: [String(run.seed)],
    worker: run.worker ? [run.worker] : [],
    id: [String(run.id)],
  };
  return terms.every((term) => {
    const colon = term.indexOf(':');
    if (colon > 0) {
      const key = term.slice(0, colon);
      const value = term.slice(colon + 1);
      if (key in fields) return fields[key].some((f) => f.toLowerCase().includes(value));
    }
    return Object.values(fields).some((list) => list.some((f) => f.toLowerCase().includes(term)));
  });
}

function sortValue(run: RunSummary, key: SortKey, now: number): string | number | null {
  switch (key) {
    case 'progress':
      return runProgress(run);
    case 'best':
      return bestValidation(run);
    case 'duration':
      return runDurationMs(run, now);
    case 'createdAt':
      return Date.parse(run.createdAt);
    default:
      return run[key];
  }
}

/** Missing values (no metric yet, not started) sort last in either direction. */
function compareValues(a: string | number | null, b: string | number | null, descending: boolean): number {
  if (a === null || (typeof a === 'number' && Number.isNaN(a))) return b === null ? 0 : 1;
  if (b === null || (typeof b === 'number' && Number.isNaN(b))) return -1;
  const order = typeof a === 'string' && typeof b === 'string' ? a.localeCompare(b, undefined, { numeric: true }) : Number(a) - Number(b);
  return descending ? -order : order;
}

/** Filtered and sorted rows; ties keep the id order so the table never jitters on refresh. */
export function applyTableQuery(runs: readonly RunSummary[], query: TableQuery, now = Date.now()): RunSummary[] {
  const rows = runs.filter(
    (run) =>
      (query.statuses.length === 0 || query.statuses.includes(run.status)) &&
      (query.strategies.length === 0 || query.strategies.includes(run.strategy)) &&
      matchesSearch(run, query.search),
  );
  return rows
    .map((run) => ({ run, value: sortValue(run, query.sortKey, now) }))
    .sort((x, y) => compareValues(x.value, y.value, query.descending) || x.run.id - y.run.id)
    .map((entry) => entry.run);
}

/** Clicking a header: a new column sorts ascending (dates and metrics descending), the same one flips. */
export function toggleSort(query: TableQuery, key: SortKey): TableQuery {
  if (query.sortKey === key) return { ...query, descending: !query.descending };
  const descendingFirst = key === 'createdAt' || key === 'best' || key === 'progress' || key === 'duration';
  return { ...query, sortKey: key, descending: descendingFirst };
}
