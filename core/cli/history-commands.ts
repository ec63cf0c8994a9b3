import { resolve } from 'node:path';
import { UserError } from '../errors';
import { defaultDatabasePath, openStore } from '../store';
import { parseOptions, printJson, type CliIo, type Command } from './command';
import { createProgress } from './progress';

/**
 * `alignahead history ...`: the whole history as a file. `backup` copies the database online (safe
 * while runs train into it); `import` merges another machine's history (or a backup) into this one:
 * runs keep their UUID, runs already here are skipped, ids are renumbered.
 */

const DB_USAGE = '--db FILE (default: $ALIGNAHEAD_DB or ~/.alignahead/workbench.sqlite)';

function fileArgument(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || positionals[0].trim() === '') throw new UserError(`expected one file (usage: ${usage})`);
  return resolve(positionals[0]);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

const backupCommand: Command = {
  path: ['history', 'backup'],
  summary: 'copy the whole history to a new file (SQLite online backup; safe while runs train)',
  usage: `usage: alignahead history backup FILE [${DB_USAGE}] [--json]`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(argv, { db: { type: 'string' }, json: { type: 'boolean' } });
    const destination = fileArgument(positionals, this.usage);
    const store = openStore(values.db ?? defaultDatabasePath(), { mustExist: true });
    try {
      const result = await store.backup(destination);
      if (values.json) printJson(io, result);
      else io.out(`backed up ${result.runs} runs (${result.epochRows} epoch rows, ${megabytes(result.bytes)}) to ${result.path}; integrity ok`);
      return 0;
    } finally {
      store.close();
    }
  },
};

const importCommand: Command = {
  path: ['history', 'import'],
  summary: "merge another machine's history (or a backup) into this one; runs already here are skipped",
  usage: `usage: alignahead history import FILE [${DB_USAGE}] [--json] [--quiet]`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(argv, { db: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } });
    const file = fileArgument(positionals, this.usage);
    const store = openStore(values.db ?? defaultDatabasePath());
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      let progress: ReturnType<typeof createProgress> | null = null;
      const result = await store.importHistory(file, {
        signal: abort.signal,
        onProgress: values.quiet ? undefined : (done, total) => (progress ??= createProgress(io, 'import', total)).update(done, ''),
      });
      if (progress) io.err('');
      if (values.json) printJson(io, { file: result.file, imported: result.imported.length, skipped: result.skipped, datasets: result.datasets, runs: result.imported });
      else {
        const ids = result.imported.map((r) => r.to);
        const range = ids.length === 0 ? '' : ids.length === 1 ? ` as run ${ids[0]}` : ` as runs ${ids[0]}..${ids[ids.length - 1]}`;
        io.out(`imported ${result.imported.length} runs${range} from ${file}; skipped ${result.skipped} already here${result.datasets ? `; registered ${result.datasets} datasets` : ''}`);
      }
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      store.close();
    }
  },
};

export const historyCommands: Command[] = [backupCommand, importCommand];
