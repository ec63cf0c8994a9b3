import { EVENT_LEVELS, type EventLevel } from '../../contract/enums';
import { UserError } from '../errors';
import type { StoreContext } from './context';
import { EVENT_COLUMNS, parseJson } from './rows';
import type { RunEvent } from './types';
import * as check from './validate';

/** A run's timeline: status changes, backend choice, warnings, errors. */

/** Appends an event; callers hold the write transaction and have checked their inputs. */
export function insertEvent(ctx: StoreContext, runId: number, level: EventLevel, kind: string, message: string, dataJson: string | null = null): number {
  const { id } = ctx
    .statement('INSERT INTO run_events (run_id, at, level, kind, message, data) VALUES (?, ?, ?, ?, ?, ?) RETURNING id')
    .get(runId, ctx.timestamp(), level, kind, message, dataJson) as { id: number };
  return id;
}

/** Appends to a run's timeline; returns the event id (ids grow, so `afterId` pages forward). */
export function logEvent(ctx: StoreContext, runId: number, level: EventLevel, kind: string, message: string, data?: unknown): number {
  if (!EVENT_LEVELS.includes(level)) throw new UserError(`event level: unknown level '${String(level)}' (one of ${EVENT_LEVELS.join(', ')})`);
  const cleanKind = check.text('event kind', kind, 100);
  if (typeof message !== 'string') throw new UserError('event message: expected a string');
  const json = check.jsonText('event data', data);
  return ctx.write(() => insertEvent(ctx, ctx.requireRun(runId).id, level, cleanKind, message, json));
}

/** Events oldest first; with `afterId`, only newer ones (default limit 1000). */
export function getEvents(ctx: StoreContext, runId: number, options: { afterId?: number; limit?: number } = {}): RunEvent[] {
  const run = ctx.requireRun(runId);
  const after = check.integer('afterId', options.afterId ?? 0, 0);
  const limit = check.integer('limit', options.limit ?? 1000, 1, 100_000);
  const rows = ctx.statement(`SELECT ${EVENT_COLUMNS} FROM run_events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?`).all(run.id, after, limit) as (RunEvent & { data: string | null })[];
  return rows.map((row) => ({ ...row, data: parseJson(row.data) }));
}
