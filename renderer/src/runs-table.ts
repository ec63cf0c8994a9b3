import type { RunSortKey, RunStatus, RunSummary } from '../../contract/api';
import { elapsedMs } from './format';

/**
 * The experiment manager's table logic, free of the DOM: the query it sends (search, status and
 * strategy filters, sort column, page) and the per-row figures it shows. The store filters, sorts
 * and pages (runs.list), so 10,000 runs cost the UI one page.
 */

export type SortKey = RunSortKey;

/** What the manager asks the store for (filtering, search and sorting happen there; see runs.list). */
export interface TableQuery {
  search: string;
  statuses: RunStatus[];
  strategies: string[];
  sortKey: SortKey;
  descending: boolean;
}

/** Rows per page of the manager's table. */
export const PAGE_SIZE = 100;

export const DEFAULT_QUERY: TableQuery = { search: '', statuses: [], strategies: [], sortKey: 'createdAt', descending: true };

/** Fraction of planned epochs done, 0..1; completed runs count as full even when stopped early. */
export function runProgress(run: RunSummary): number {
  if (run.status === 'completed') return 1;
  if (!run.plannedEpochs) return 0;
  return Math.min(1, run.epochs / run.plannedEpochs);
}

export function runDurationMs(run: RunSummary, now = Date.now()): number | null {
  return elapsedMs(run.startedAt, run.finishedAt, now);
}

/** The runs.list input of a table query and page (0-based). */
export function listInput(query: TableQuery, page: number) {
  return {
    search: query.search.trim() || undefined,
    status: query.statuses.length ? query.statuses : undefined,
    strategies: query.strategies.length ? query.strategies : undefined,
    sort: query.sortKey,
    descending: query.descending,
    limit: PAGE_SIZE,
    offset: page * PAGE_SIZE,
    facets: true,
  };
}

/** Clicking a header: a new column sorts ascending (dates and metrics descending), the same one flips. */
export function toggleSort(query: TableQuery, key: SortKey): TableQuery {
  if (query.sortKey === key) return { ...query, descending: !query.descending };
  const descendingFirst = key === 'createdAt' || key === 'best' || key === 'progress' || key === 'duration';
  return { ...query, sortKey: key, descending: descendingFirst };
}
