import { RUN_SORT_KEYS, type RunSortKey } from '../../contract/enums';
import { UserError } from '../errors';
import { checkStatus } from './run-status';
import type { RunFilter } from './types';

/**
 * The SQL of the runs list: which runs a filter keeps (status, strategy, group, and the search
 * language of the experiment manager) and the order a sort key gives, so that the store pages
 * through 10,000 runs instead of the UI filtering all of them. The `r` alias is the runs table.
 */

export type RunCondition = Omit<RunFilter, 'limit' | 'offset' | 'sort' | 'descending'>;

/** Fields a search term may name as `key:value`; a bare term matches any text field. */
const SEARCH_FIELDS: Record<string, { sql: string; exact?: boolean }> = {
  name: { sql: 'r.name' },
  dataset: { sql: 'r.dataset' },
  model: { sql: 'r.model' },
  strategy: { sql: 'r.strategy' },
  status: { sql: 'r.status' },
  tag: { sql: 'r.tags' },
  group: { sql: 'r.group_name' },
  notes: { sql: 'r.notes' },
  worker: { sql: 'r.worker' },
  seed: { sql: 'r.seed', exact: true },
  id: { sql: 'r.id', exact: true },
};
const BARE_TERM_FIELDS = ['name', 'dataset', 'model', 'strategy', 'status', 'tag', 'group', 'notes', 'worker'];

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;

/**
 * Search terms are whitespace-separated and must all match. `key:value` matches one field (name,
 * dataset, model, strategy, status, tag, group, notes, worker as substrings; seed and id exactly); a bare
 * term, or one whose key is none of those (a spec such as csbm:200:800:3), matches any text field as
 * a substring, or the id or seed when it is a number. Case-insensitive; LIKE wildcards are literal.
 */
function searchConditions(search: string, params: Record<string, unknown>): string[] {
  const terms = search.trim().split(/\s+/).filter(Boolean).slice(0, 20);
  return terms.map((term, i) => {
    const colon = term.indexOf(':');
    const key = colon > 0 ? term.slice(0, colon).toLowerCase() : '';
    const field = SEARCH_FIELDS[key];
    if (field && colon < term.length - 1) {
      const value = term.slice(colon + 1);
      params[`t${i}`] = field.exact ? value : likePattern(value);
      return field.exact ? `CAST(${field.sql} AS TEXT) = @t${i}` : `${field.sql} LIKE @t${i} ESCAPE '\\'`;
    }
    params[`t${i}`] = likePattern(term);
    params[`n${i}`] = term;
    const any = BARE_TERM_FIELDS.map((name) => `${SEARCH_FIELDS[name].sql} LIKE @t${i} ESCAPE '\\'`);
    return `(${any.join(' OR ')} OR CAST(r.id AS TEXT) = @n${i} OR CAST(r.seed AS TEXT) = @n${i})`;
  });
}

/** WHERE clause and parameters of a run filter. */
export function runFilterSql(filter: RunCondition): { where: string; params: Record<string, unknown> } {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    statuses.forEach(checkStatus);
    conditions.push('r.status IN (SELECT value FROM json_each(@statuses))');
    params.statuses = JSON.stringify(statuses);
  }
  if (filter.strategies !== undefined && filter.strategies.length > 0) {
    conditions.push('r.strategy IN (SELECT value FROM json_each(@strategies))');
    params.strategies = JSON.stringify(filter.strategies);
  }
  if (filter.group !== undefined) {
    conditions.push('r.group_name = @group');
    params.group = filter.group;
  }
  if (filter.search?.trim()) conditions.push(...searchConditions(filter.search, params));
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** The value each sort key orders by (NULL: missing, sorted last either way). */
const SORT_SQL: Record<RunSortKey, string> = {
  id: 'r.id',
  name: 'r.name COLLATE NOCASE',
  dataset: 'r.dataset COLLATE NOCASE',
  model: 'r.model',
  strategy: 'r.strategy',
  numStudents: 'r.num_students',
  numLayers: 'r.num_layers',
  seed: 'r.seed',
  status: 'r.status',
  // completed runs count as full even when they stopped early
  progress: `CASE WHEN r.status = 'completed' THEN 1.0 WHEN r.planned_epochs > 0 THEN MIN(1.0, r.epochs_done * 1.0 / r.planned_epochs) ELSE 0.0 END`,
  best: '(SELECT MAX(s.best_val) FROM students s WHERE s.run_id = r.id)',
  // whole milliseconds, so equal durations tie exactly
  duration: `(CAST(round(unixepoch(COALESCE(r.finished_at, @now), 'subsec') * 1000) AS INTEGER) - CAST(round(unixepoch(r.started_at, 'subsec') * 1000) AS INTEGER))`,
  createdAt: 'r.created_at',
};

/** The sort keys whose value may be missing (no best metric yet, never started). */
const NULLABLE: ReadonlySet<RunSortKey> = new Set(['best', 'duration']);

/**
 * ORDER BY clause of a sort key: missing values last, ties in id order so pages never overlap. Keys
 * that are never missing order by their column alone, so an index (runs_by_created) can serve them.
 */
export function runOrderSql(sort: RunSortKey = 'id', descending = true): string {
  if (!RUN_SORT_KEYS.includes(sort)) throw new UserError(`sort: unknown key '${String(sort)}' (one of ${RUN_SORT_KEYS.join(', ')})`);
  const value = SORT_SQL[sort];
  const direction = descending ? 'DESC' : 'ASC';
  if (sort === 'id') return `ORDER BY r.id ${direction}`;
  return `ORDER BY ${NULLABLE.has(sort) ? `(${value}) IS NULL, ` : ''}${value} ${direction}, r.id ${direction}`;
}
