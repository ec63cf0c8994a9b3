import { existsSync, statSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { UserError } from '../errors';
import { removeDatabaseFiles, snapshotDatabase, temporarySibling } from './backup';
import type { StoreContext } from './context';
import { storageError } from './database';
import { insertEvent } from './events';
import { loadMigrations, migrate, schemaVersion } from './migrate';

/**
 * Merging another machine's history into this one. Runs are matched by their UUID (migration 004):
 * a run already here is skipped, so importing the same file twice adds nothing the second time;
 * new runs get new ids here, and their students, metrics, heatmaps, distillation signal, checkpoints and events follow
 * them. The source is never written: a consistent copy of it (SQLite's online backup) is brought
 * to this program's schema and read from there, so an older history imports too, while a newer one
 * is refused before anything happens. Each run is imported in its own short transaction, with a
 * turn of the event loop between runs: trainers writing to this database wait milliseconds, serve
 * mode keeps answering, and an import stopped half-way leaves whole runs (importing again finishes it).
 */

export interface ImportResult {
  file: string;
  /** runs added, with their id in the file and here */
  imported: { uuid: string; from: number; to: number }[];
  /** runs of the file already in this history (same UUID) */
  skipped: number;
  /** datasets registered because an imported run referred to them */
  datasets: number;
}

export interface ImportOptions {
  /** after each run: how many of the file's runs have been handled */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Runs still queued or running in the file belong to a process on another machine: here they become resumable. */
const LIVE_STATUSES = new Set(['queued', 'running']);
/** Run columns that describe the source machine's processes and queue, not the run: cleared on import. */
const MACHINE_COLUMNS: Record<string, string> = {
  pid: 'NULL',
  owner_host: 'NULL',
  owner_start: 'NULL',
  cancel_requested: '0',
  queue_job: 'NULL',
  queue_lease: 'NULL',
  queue_seq: 'NULL',
};
/** Tables whose rows belong to a run (keyed by run_id), copied with it. */
const RUN_TABLES = ['students', 'epoch_metrics', 'alignment_matrices', 'distillation_signal', 'checkpoints', 'run_events'];

function columnsOf(ctx: StoreContext, table: string): string[] {
  return (ctx.db.pragma(`main.table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

/** Opens the file read-only, refusing what is no experiment history or is one of a newer schema. */
function openSource(file: string, known: number): Database.Database {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  if (!statSync(file).isFile()) throw new UserError(`${file}: not a file`);
  let source: Database.Database;
  try {
    source = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new UserError(`${file}: cannot open it (${(error as Error).message})`, { cause: error });
  }
  try {
    source.pragma('busy_timeout = 5000');
    const version = schemaVersion(source);
    if (version > known) {
      throw new UserError(`${file}: its schema version is ${version}, newer than this program's ${known}; update Alignahead to import it (nothing was imported)`);
    }
    const hasRuns = source.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get();
    if (version === 0 || !hasRuns) throw new UserError(`${file}: not an Alignahead experiment history (no runs table or schema version)`);
    return source;
  } catch (error) {
    source.close();
    if (error instanceof UserError) throw error;
    throw storageError(file, error) ?? new UserError(`${file}: not a usable SQLite database (${(error as Error).message})`, { cause: error });
  }
}

/** A migrated copy of the source next to this store's database (or in the OS temp folder for an in-memory one). */
async function migratedCopy(ctx: StoreContext, file: string): Promise<string> {
  const migrations = loadMigrations();
  const source = openSource(file, migrations.length);
  const near = ctx.path === ':memory:' || ctx.path === '' ? file : ctx.path;
  const copy = temporarySibling(near, 'import');
  try {
    await snapshotDatabase(source, copy, file);
  } finally {
    source.close();
  }
  try {
    const db = new Database(copy);
    try {
      migrate(db, { migrations, label: file });
    } finally {
      db.close();
    }
    return copy;
  } catch (error) {
    removeDatabaseFiles(copy);
    throw error;
  }
}

/** Imports every run of `file` that this history does not have yet. */
export async function importHistory(ctx: StoreContext, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const copy = await migratedCopy(ctx, file);
  const result: ImportResult = { file, imported: [], skipped: 0, datasets: 0 };
  try {
    ctx.db.prepare('ATTACH DATABASE ? AS src').run(copy);
    try {
      const runs = ctx.db.prepare('SELECT id, uuid FROM src.runs ORDER BY id').all() as { id: number; uuid: string }[];
      const copyRun = runCopier(ctx, file);
      for (const [i, run] of runs.entries()) {
        if (options.signal?.aborted) throw new UserError(`import of ${file} stopped after ${i} of ${runs.length} runs (the runs imported so far are whole; importing again adds the rest)`);
        const outcome = ctx.write(() => copyRun(run));
        if (outcome === null) result.skipped++;
        else {
          result.imported.push({ uuid: run.uuid, from: run.id, to: outcome.id });
          result.datasets += outcome.newDataset ? 1 : 0;
        }
        options.onProgress?.(i + 1, runs.length);
        await nextTurn();
      }
    } finally {
      ctx.db.exec('DETACH DATABASE src');
    }
    return result;
  } finally {
    removeDatabaseFiles(copy);
  }
}

/** Copies one run of the attached `src` with everything recorded for it; null when its UUID is here already. */
function runCopier(ctx: StoreContext, file: string) {
  const runColumns = columnsOf(ctx, 'runs').filter((c) => c !== 'id');
  const datasetColumns = columnsOf(ctx, 'datasets').filter((c) => c !== 'id');
  const runValues = runColumns.map((c) =>
    c === 'status' ? `CASE WHEN status IN ('queued', 'running') THEN 'interrupted' ELSE status END` : c === 'dataset_id' ? '@datasetId' : (MACHINE_COLUMNS[c] ?? c),
  );
  const insertRun = ctx.db.prepare(`INSERT INTO main.runs (${runColumns.join(', ')}) SELECT ${runValues.join(', ')} FROM src.runs WHERE id = @from RETURNING id`);
  const children = RUN_TABLES.map((table) => {
    const columns = columnsOf(ctx, table).filter((c) => c !== 'run_id' && !(table === 'run_events' && c === 'id'));
    return ctx.db.prepare(`INSERT INTO main.${table} (run_id, ${columns.join(', ')}) SELECT @to, ${columns.join(', ')} FROM src.${table} WHERE run_id = @from ORDER BY rowid`);
  });
  const insertDataset = ctx.db.prepare(`INSERT INTO main.datasets (${datasetColumns.join(', ')}) SELECT ${datasetColumns.join(', ')} FROM src.datasets WHERE id = ? RETURNING id`);

  const known = ctx.db.prepare('SELECT 1 FROM main.runs WHERE uuid = ?');
  const sourceRun = ctx.db.prepare('SELECT status, dataset_id FROM src.runs WHERE id = ?');
  const sourceDatasetName = ctx.db.prepare('SELECT name FROM src.datasets WHERE id = ?');
  const datasetHere = ctx.db.prepare('SELECT id FROM main.datasets WHERE name = ?');

  return (run: { id: number; uuid: string }): { id: number; newDataset: boolean } | null => {
    if (known.get(run.uuid)) return null;
    const source = sourceRun.get(run.id) as { status: string; dataset_id: number | null };
    // The registry is keyed by name: a dataset known here keeps its entry, an unknown one is registered.
    let datasetId: number | null = null;
    let newDataset = false;
    if (source.dataset_id !== null) {
      const name = (sourceDatasetName.get(source.dataset_id) as { name: string } | undefined)?.name;
      const here = name === undefined ? undefined : (datasetHere.get(name) as { id: number } | undefined);
      if (here) datasetId = here.id;
      else if (name !== undefined) {
        datasetId = (insertDataset.get(source.dataset_id) as { id: number }).id;
        newDataset = true;
      }
    }
    const { id } = insertRun.get({ from: run.id, datasetId }) as { id: number };
    for (const statement of children) statement.run({ from: run.id, to: id });
    const was = LIVE_STATUSES.has(source.status) ? `, where it was ${source.status}: interrupted here, resumable from its last checkpoint` : '';
    insertEvent(ctx, id, 'info', 'import', `imported from ${file} (run ${run.id} there${was})`);
    return { id, newDataset };
  };
}
