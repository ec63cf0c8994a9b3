import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors';

/**
 * Which files the API may read on the caller's behalf: only those inside the configured import
 * folders, judged on real paths (symbolic links resolved), so neither `..` nor a link inside a
 * folder can reach elsewhere. Relative paths are taken relative to the first folder.
 */

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}

/** The real paths of the roots that exist. */
export function realRoots(roots: readonly string[]): string[] {
  const real: string[] = [];
  for (const root of roots) {
    try {
      real.push(realpathSync(resolve(root)));
    } catch {
      // a configured folder that does not exist allows nothing
    }
  }
  return real;
}

/** The real path of `path`, when it exists inside one of `roots`; a UserError otherwise. */
export function resolveInsideRoots(path: string, roots: readonly string[], purpose = 'datasets may be read from'): string {
  const allowed = realRoots(roots);
  if (allowed.length === 0) throw new UserError(`${path}: reading files is disabled (no import folder is configured)`);
  const outside = () => new UserError(`${path}: outside the folders ${purpose} (${allowed.join(', ')})`);
  const lexical = isAbsolute(path) ? resolve(path) : resolve(allowed[0], path);
  // Judge the path as written first, so nothing is revealed about files elsewhere.
  if (!allowed.some((root) => isInside(root, lexical)) && !roots.some((root) => isInside(resolve(root), lexical))) throw outside();
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    throw new UserError(`${path}: no such file or folder`);
  }
  if (!allowed.some((root) => isInside(root, real))) throw outside();
  return real;
}

/**
 * Where a new file may be written on the caller's behalf (a history backup): its folder must exist
 * inside one of `roots` (judged on real paths, like reads), and the file itself must not exist.
 * Returns the file's path in that real folder.
 */
export function resolveNewFileInsideRoots(path: string, roots: readonly string[], purpose: string): string {
  const folder = resolveInsideRoots(dirname(isAbsolute(path) ? resolve(path) : resolve(realRoots(roots)[0] ?? '.', path)), roots, purpose);
  const name = basename(path);
  if (name === '' || name === '.' || name === '..') throw new UserError(`${path}: not a file name`);
  const file = join(folder, name);
  if (existsSync(file)) throw new UserError(`${path}: already exists; a backup never overwrites a file, choose a new name`);
  return file;
}

/** Checks every file a folder import will read (a link inside the folder could point anywhere). */
export function checkFilesInsideRoots(files: readonly string[], roots: readonly string[]): void {
  const allowed = realRoots(roots);
  for (const file of files) {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      continue; // missing files are reported by the loader, which names what it expected
    }
    if (!allowed.some((root) => isInside(root, real))) throw new UserError(`${file}: links outside the folders datasets may be read from`);
  }
}

/** Whether a dataset reference is meant as a file system path (rather than a name or spec). */
export function looksLikePath(ref: string): boolean {
  return isAbsolute(ref) || ref.includes('/') || ref.includes('\\') || ref.startsWith('.') || ref.startsWith('~') || /\.npz$/i.test(ref);
}
