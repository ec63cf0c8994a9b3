import { extname } from 'node:path';

/** The contract's rule for a registered dataset name. */
const DATASET_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/**
 * A registry name for a file or folder picked in the Import dialog: its base name without the
 * extension, with characters the registry does not allow turned into '-'.
 */
export function datasetNameFromPath(path: string): string {
  // either separator: the path comes from the OS dialog, Windows' included
  const base = path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
  const stem = extname(base) ? base.slice(0, -extname(base).length) : base;
  const cleaned = stem
    .replace(/[^a-z0-9._-]+/gi, '-')
    .replace(/^[^a-z0-9]+/i, '')
    .slice(0, 64)
    .replace(/[-.]+$/, '');
  return DATASET_NAME.test(cleaned) ? cleaned : 'dataset';
}
