import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the workbench keeps its experiments: $ALIGNAHEAD_DB, else ~/.alignahead/workbench.sqlite. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.ALIGNAHEAD_DB?.trim();
  return configured ? configured : join(homedir(), '.alignahead', 'workbench.sqlite');
}
