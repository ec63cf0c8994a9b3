#!/usr/bin/env node
// `npm start`: the desktop app when the Electron binary is installed, serve mode otherwise
// (see electron/scripts/launcher.ts for the decision and the build steps before a desktop start).
import { register } from 'tsx/esm/api';

register();
const { runStart } = await import('../electron/scripts/launcher.ts');
try {
  process.exitCode = await runStart(process.argv.slice(2));
} catch (error) {
  console.error(`alignahead start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
