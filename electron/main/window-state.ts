import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The main window's size, position and maximised flag, kept as JSON in the user-data folder. The
 * file is read defensively: anything missing, corrupt or off every screen gives the defaults, so a
 * bad file can never keep the app from opening.
 */
export interface WindowState {
  width: number;
  height: number;
  /** absent: let the OS place the window */
  x?: number;
  y?: number;
  maximized: boolean;
}

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };
const MIN_SIZE = 400;
const MAX_SIZE = 16_384;
const MAX_COORDINATE = 100_000;
/** how much of the title bar must lie on a screen for a saved position to be trusted */
const VISIBLE_MARGIN = 48;

export function windowStatePath(userDataDir: string): string {
  return join(userDataDir, WINDOW_STATE_FILE);
}

const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** Validates parsed JSON; returns null when anything about it is off. */
export function parseWindowState(raw: unknown): WindowState | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const record = raw as Record<string, unknown>;
  if (!isInt(record.width, MIN_SIZE, MAX_SIZE) || !isInt(record.height, MIN_SIZE, MAX_SIZE)) return null;
  if (typeof record.maximized !== 'boolean') return null;
  const state: WindowState = { width: record.width, height: record.height, maximized: record.maximized };
  const hasX = record.x !== undefined;
  const hasY = record.y !== undefined;
  if (hasX !== hasY) return null;
  if (hasX) {
    if (!isInt(record.x, -MAX_COORDINATE, MAX_COORDINATE) || !isInt(record.y, -MAX_COORDINATE, MAX_COORDINATE)) return null;
    state.x = record.x;
    state.y = record.y;
  }
  return state;
}

/** Reads the saved state; a missing, unreadable or invalid file gives a copy of the defaults. */
export function loadWindowState(path: string): WindowState {
  try {
    return parseWindowState(JSON.parse(readFileSync(path, 'utf8'))) ?? { ...DEFAULT_WINDOW_STATE };
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

/** Writes through a temporary file so a crash mid-write leaves the previous state, not half a file. */
export function saveWindowState(path: string, state: WindowState): void {
  const valid = parseWindowState(state);
  if (!valid) throw new Error(`window state ${JSON.stringify(state)} is not valid`);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Drops a saved position whose title bar would not be reachable on any of today's displays. */
export function fitToDisplays(state: WindowState, workAreas: readonly Rectangle[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state;
  const { x, y } = state;
  const titleBar: Rectangle = { x, y, width: state.width, height: VISIBLE_MARGIN };
  const reachable = workAreas.some((area) => overlap(titleBar, area) >= VISIBLE_MARGIN * VISIBLE_MARGIN);
  if (reachable) return state;
  const { x: _x, y: _y, ...placedByOs } = state;
  return placedByOs;
}

function overlap(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}
