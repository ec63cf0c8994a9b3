import { UserError } from '../errors';
import type { StoreContext } from './context';
import { DATASET_COLUMNS, parseJson } from './rows';
import type { DatasetInput, DatasetRecord } from './types';
import * as check from './validate';

/** The datasets the workbench has seen (catalog entries, imported files, generators), by name. */

type DatasetRow = DatasetRecord & { stats: string | null };

const recordOf = (row: DatasetRow): DatasetRecord => ({ ...row, stats: parseJson(row.stats) });

/** Registers a dataset by name, or updates the entry of that name (keeping its id and createdAt). */
export function upsertDataset(ctx: StoreContext, input: DatasetInput): DatasetRecord {
  const task = input.task ?? null;
  if (task !== null && task !== 'multiclass' && task !== 'multilabel') throw new UserError(`dataset task: expected multiclass or multilabel, got '${String(task)}'`);
  const count = (field: string, value: unknown) => check.optionalInteger(`dataset ${field}`, value, 0);
  const values = {
    name: check.text('dataset name', input.name, 500),
    source: check.text('dataset source', input.source, 2000),
    format: check.optionalText('dataset format', input.format, 100),
    task,
    nodes: count('nodes', input.nodes),
    edges: count('edges', input.edges),
    features: count('features', input.features),
    classes: count('classes', input.classes),
    graphs: count('graphs', input.graphs),
    sha256: check.optionalText('dataset sha256', input.sha256, 64),
    stats: check.jsonText('dataset stats', input.stats),
    now: ctx.timestamp(),
  };
  return ctx.write(() => {
    const row = ctx
      .statement(
        `INSERT INTO datasets (name, source, format, task, nodes, edges, features, classes, graphs, sha256, stats, created_at, updated_at)
         VALUES (@name, @source, @format, @task, @nodes, @edges, @features, @classes, @graphs, @sha256, @stats, @now, @now)
         ON CONFLICT (name) DO UPDATE SET source = excluded.source, format = excluded.format, task = excluded.task,
           nodes = excluded.nodes, edges = excluded.edges, features = excluded.features, classes = excluded.classes,
           graphs = excluded.graphs, sha256 = excluded.sha256, stats = excluded.stats, updated_at = excluded.updated_at
         RETURNING ${DATASET_COLUMNS}`,
      )
      .get(values) as DatasetRow;
    return recordOf(row);
  });
}

export function listDatasets(ctx: StoreContext): DatasetRecord[] {
  return (ctx.statement(`SELECT ${DATASET_COLUMNS} FROM datasets ORDER BY name`).all() as DatasetRow[]).map(recordOf);
}

/** By id or by name; null when absent. */
export function getDataset(ctx: StoreContext, idOrName: number | string): DatasetRecord | null {
  const row = ctx.statement(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE ${typeof idOrName === 'number' ? 'id' : 'name'} = ?`).get(idOrName) as DatasetRow | undefined;
  return row ? recordOf(row) : null;
}

/** Removes a registry entry; runs keep their dataset name and lose only the link. */
export function deleteDataset(ctx: StoreContext, id: number): boolean {
  return ctx.write(() => ctx.statement('DELETE FROM datasets WHERE id = ?').run(check.integer('dataset id', id, 1)).changes > 0);
}
