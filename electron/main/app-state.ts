import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Small facts the shell remembers between sessions (the window's geometry has its own file):
 * when the app first started (the first start opens the dataset catalog, where the built-in demo
 * dataset is ready to use) and the theme chosen from the View menu.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

export interface AppState {
  firstStartedAt: string;
  theme: ThemeChoice;
}

export const APP_STATE_FILE = 'app-state.json';
const THEMES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

export function appStatePath(userDataDir: string): string {
  return join(userDataDir, APP_STATE_FILE);
}

export function parseAppState(raw: unknown): AppState | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const record = raw as Record<string, unknown>;
  if (typeof record.firstStartedAt !== 'string' || Number.isNaN(Date.parse(record.firstStartedAt))) return null;
  const theme = THEMES.includes(record.theme as ThemeChoice) ? (record.theme as ThemeChoice) : 'system';
  return { firstStartedAt: record.firstStartedAt, theme };
}

/**
 * Reads the state, creating it on first start. A missing file means this is the first start; an
 * unreadable one is replaced (its only loss is the theme choice), without counting as a first start.
 */
export function loadOrCreateAppState(path: string, now: Date = new Date()): { state: AppState; firstStart: boolean } {
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = null;
  }
  if (text !== null) {
    let parsed: AppState | null = null;
    try {
      parsed = parseAppState(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (parsed) return { state: parsed, firstStart: false };
  }
  const state: AppState = { firstStartedAt: now.toISOString(), theme: 'system' };
  saveAppState(path, state);
  return { state, firstStart: text === null };
}

export function saveAppState(path: string, state: AppState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}
