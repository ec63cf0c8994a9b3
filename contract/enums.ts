/**
 * The contract's closed lists of values, in a module of their own without the validation library:
 * the store and the quick CLI commands (`runs list`) use them without loading every call's schema.
 * contract/api.ts re-exports them.
 */

export const RUN_STATUS_VALUES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUS_VALUES)[number];
export const EVENT_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type EventLevel = (typeof EVENT_LEVELS)[number];
/** What the runs list sorts by: a column of the manager's table (missing values sort last either way). */
export const RUN_SORT_KEYS = ['id', 'name', 'dataset', 'model', 'strategy', 'numStudents', 'numLayers', 'seed', 'status', 'progress', 'best', 'duration', 'createdAt'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];
