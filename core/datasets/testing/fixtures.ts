import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { UserError } from '../../errors';
import type { Dataset } from '../types';

/** Helpers shared by the dataset tests: error expectations, a scratch folder, adjacency as lists. */

/** Asserts that `action` throws a UserError whose message matches `pattern`. */
export function expectUserError(action: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expectUserErrorMatching(caught, pattern);
}

/** Asserts that `promise` rejects with a UserError whose message matches `pattern`. */
export async function expectUserRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expectUserErrorMatching(caught, pattern);
}

function expectUserErrorMatching(caught: unknown, pattern: RegExp): void {
  expect(caught).toBeInstanceOf(UserError);
  expect((caught as Error).message).toMatch(pattern);
}

/** A fresh folder under the OS temp dir, removed after the calling test file; call at file top level. */
export function scratchFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The sources of each node's incoming edges in graph `graphIndex`, read straight from the CSR arrays. */
export function incoming(dataset: Dataset, graphIndex = 0): number[][] {
  const { offsets, sources, numNodes } = dataset.graphs[graphIndex].graph;
  return Array.from({ length: numNodes }, (_, v) => Array.from(sources.subarray(offsets[v], offsets[v + 1])));
}
