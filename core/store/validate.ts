import { UserError } from '../errors';

/** Input checks shared by the store's methods; each failure is a UserError naming the field. */

export function text(field: string, value: unknown, maxLength = 10_000): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UserError(`${field}: expected a non-empty string, got ${describe(value)}`);
  if (value.length > maxLength) throw new UserError(`${field}: longer than ${maxLength} characters`);
  return value.trim();
}

export function optionalText(field: string, value: unknown, maxLength = 10_000): string | null {
  return value === undefined || value === null ? null : text(field, value, maxLength);
}

export function integer(field: string, value: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? (min === Number.MIN_SAFE_INTEGER ? '' : ` >= ${min}`) : ` in ${min}..${max}`;
    throw new UserError(`${field}: expected an integer${range}, got ${describe(value)}`);
  }
  return value;
}

export function optionalInteger(field: string, value: unknown, min?: number, max?: number): number | null {
  return value === undefined || value === null ? null : integer(field, value, min, max);
}

/** A metric: finite numbers are kept, NaN and ±Infinity become null (the trainer's "could not compute"). */
export function metric(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') throw new UserError(`${field}: expected a number or null, got ${describe(value)}`);
  return Number.isFinite(value) ? value : null;
}

/** A duration or similar: must be a finite number >= 0 (a bad timer is a bug, not a data point). */
export function nonNegative(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new UserError(`${field}: expected a finite number >= 0, got ${describe(value)}`);
  return value;
}

/** A SHA-256 in lower-case hex, or null. */
export function optionalSha256(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw new UserError(`${field}: expected a SHA-256 as 64 lower-case hex digits, got ${describe(value)}`);
  return value;
}

/** JSON text for a JSON column; null stays SQL NULL. */
export function jsonText(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(value);
  } catch (error) {
    throw new UserError(`${field}: cannot be stored as JSON (${(error as Error).message})`);
  }
  if (encoded === undefined) throw new UserError(`${field}: cannot be stored as JSON (${describe(value)})`);
  return encoded;
}

export function plainObject(field: string, value: unknown): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${field}: expected an object, got ${describe(value)}`);
  return value;
}

/** Tags: trimmed, non-empty, at most 64 characters each, duplicates dropped, order kept. */
export function tagList(value: unknown): string[] {
  if (!Array.isArray(value)) throw new UserError(`tags: expected an array of strings, got ${describe(value)}`);
  const tags: string[] = [];
  value.forEach((tag, i) => {
    const clean = text(`tags[${i}]`, tag, 64);
    if (!tags.includes(clean)) tags.push(clean);
  });
  if (tags.length > 100) throw new UserError('tags: at most 100 tags per run');
  return tags;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'an empty string' : JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
