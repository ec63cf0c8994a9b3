import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callInputs, type Settings } from '../../contract/api';

/** App settings, kept as JSON in the data folder (`settings.json`) so they survive restarts. */

export const SETTINGS_FILE = 'settings.json';
export const DEFAULT_SETTINGS: Settings = { backend: 'auto', maxConcurrentRuns: 1 };

/** The saved settings; a missing, unreadable or invalid file (or field) falls back to the defaults. */
export function readSettings(dataDir: string, log: (line: string) => void = () => {}): Settings {
  const path = join(dataDir, SETTINGS_FILE);
  if (!existsSync(path)) return { ...DEFAULT_SETTINGS };
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    log(`alignahead: ${path} is not valid JSON (${(error as Error).message}); using default settings`);
    return { ...DEFAULT_SETTINGS };
  }
  const settings = { ...DEFAULT_SETTINGS };
  if (typeof saved !== 'object' || saved === null) return settings;
  // Field by field, so one bad value (a hand edit) does not discard the others.
  const shape = callInputs['settings.set'].shape;
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
    const parsed = shape[key].safeParse((saved as Record<string, unknown>)[key]);
    if (parsed.success && parsed.data !== undefined) (settings as Record<string, unknown>)[key] = parsed.data;
    else if ((saved as Record<string, unknown>)[key] !== undefined) log(`alignahead: ${path}: ignoring invalid ${key}`);
  }
  return settings;
}

/** Writes the settings atomically (temporary file, then rename). */
export function writeSettings(dataDir: string, settings: Settings): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SETTINGS_FILE);
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(settings, null, 2) + '\n');
  renameSync(temp, path);
}
