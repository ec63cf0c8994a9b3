import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../errors';
import { findCatalogEntry } from './catalog';
import { findCsvFiles } from './csv';
import { cachedDatasetPath, detectFormat, findCached, isValidDatasetName, loadDatasetAt, type DatasetFormat } from './load';
import { ppiFileNames } from './ppi';
import { parseDatasetSpec } from './spec';
import type { Dataset } from './types';

/**
 * Importing a user's dataset into the cache under a name, shared by `datasets import` and the API.
 * Two steps so that a caller can vet the files first (the API confines them to allowed folders):
 * `planImport` checks the name, the path and the format and lists the files that will be read;
 * `commitImport` validates the whole dataset, then copies it in through a temporary name, so a
 * failure leaves nothing registered.
 */
export interface ImportPlan {
  path: string;
  name: string;
  format: DatasetFormat;
  /** every file the import reads */
  files: string[];
  cacheDir: string;
  /** the cached dataset this import would replace */
  existingPath: string | null;
}

export interface ImportRequest {
  path: string;
  name: string;
  format?: string;
  cacheDir: string;
  /** replace a cached dataset of the same name instead of refusing */
  replace?: boolean;
  /** how messages refer to the name and format inputs, e.g. '--name' on the CLI */
  nameLabel?: string;
  formatLabel?: string;
  /** how to replace an existing dataset, added to the refusal, e.g. 'pass --force to replace it' */
  replaceHint?: string;
}

export const IMPORT_FORMATS: readonly DatasetFormat[] = ['npz', 'ppi', 'csv'];

export function planImport(request: ImportRequest): ImportPlan {
  const { path, name, cacheDir } = request;
  const nameLabel = request.nameLabel ?? 'name';
  const formatLabel = request.formatLabel ?? 'format';
  if (!isValidDatasetName(name)) throw new UserError(`${nameLabel}: '${name}' is not a valid name (letters, digits, '.', '_', '-'; not ending in .npz)`);
  if (findCatalogEntry(name)) throw new UserError(`${nameLabel}: '${name}' is a catalog dataset; choose another name`);
  if (parseDatasetSpec(name) !== null) throw new UserError(`${nameLabel}: '${name}' reads as a generator spec; choose another name`);
  if (!existsSync(path)) throw new UserError(`${path}: no such file or folder`);

  const format = (request.format ?? detectFormat(path)) as DatasetFormat | null;
  if (format !== null && !IMPORT_FORMATS.includes(format)) throw new UserError(`${formatLabel}: unknown format '${format}' (npz, ppi or csv)`);
  if (!format) throw new UserError(`${path}: cannot tell its format (an .npz file, a PPI folder, or a folder with edges.csv and labels.csv); give the ${formatLabel}`);
  if ((format === 'npz') === statSync(path).isDirectory()) {
    throw new UserError(`${path}: ${formatLabel} ${format} expects ${format === 'npz' ? 'an .npz file' : 'a folder'}`);
  }
  const existing = findCached(cacheDir, name);
  if (existing && !request.replace) {
    throw new UserError(`${nameLabel}: '${name}' already exists in ${cacheDir}${request.replaceHint ? ` (${request.replaceHint})` : ''}`);
  }

  const files = format === 'npz' ? [path] : format === 'ppi' ? ppiFileNames().map((file) => join(path, file)) : Object.values(findCsvFiles(path) ?? {});
  return { path, name, format, files, cacheDir, existingPath: existing?.path ?? null };
}

/** Validates the dataset fully, then copies it into the cache; returns it and where it now lives. */
export function commitImport(plan: ImportPlan): { dataset: Dataset; target: string } {
  const dataset = loadDatasetAt(plan.path, plan.format, { name: plan.name, source: plan.name });
  mkdirSync(plan.cacheDir, { recursive: true });
  const target = cachedDatasetPath(plan.cacheDir, plan.name, plan.format);
  const temp = join(plan.cacheDir, `.import-${plan.name}-${process.pid}-${Date.now()}`);
  try {
    if (plan.format === 'npz') copyFileSync(plan.path, temp);
    else {
      mkdirSync(temp);
      for (const file of plan.files) copyFileSync(file, join(temp, basename(file)));
    }
    if (plan.existingPath) rmSync(plan.existingPath, { recursive: true, force: true });
    renameSync(temp, target);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return { dataset, target };
}
