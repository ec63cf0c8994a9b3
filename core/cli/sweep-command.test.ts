import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { welchTTest } from '../../contract/stats';
import { openStore } from '../store';
import type { CliIo } from './command';
import { main } from './main';

/**
 * `sweep --format latex|markdown` prints the paper table of what it trained: mean ± std over seeds
 * and Welch's p-value against the reference strategy, computed from the runs as recorded; and
 * `sweep table --group` writes the same table later from the history alone.
 */

const dir = mkdtempSync(join(tmpdir(), 'alignahead-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false };
  return { code: await main(argv, io), out, err };
}

it('prints the sweep as a LaTeX table, and the recorded sweep as the same table in Markdown', async () => {
  const db = join(dir, 'sweep.sqlite');
  const grid = ['--data', 'csbm:200:800:3:8', '--hidden', '4', '--epochs', '4', '--backend', 'cpu', '--strategy', 'independent,alignahead', '--seeds', '0-2', '--quiet'];
  const swept = await cli(['sweep', ...grid, '--db', db, '--group', 'paper', '--format', 'latex']);
  expect(swept.code).toBe(0);
  const latex = swept.out.join('\n');

  // the per-run scores as recorded: test at best validation, averaged over each run's students
  const store = openStore(db, { mustExist: true });
  const scores = (strategy: string) =>
    store
      .listRuns({ group: 'paper', limit: 100, sort: 'id', descending: false })
      .filter((r) => r.strategy === strategy)
      .map((r) => r.students.reduce((sum, s) => sum + (s.testAtBest ?? Number.NaN), 0) / r.students.length);
  const align = scores('alignahead');
  const independent = scores('independent');
  store.close();
  expect(align).toHaveLength(3);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const std = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));
  const p = welchTTest(align, independent)!.p;
  const pText = p < 0.001 ? '$< 0.001$' : `$${p.toFixed(3)}$`;
  const cell = (v: number[]) => `${mean(v).toFixed(3)} \\pm ${std(v).toFixed(3)}`;
  const bold = (v: number[], other: number[]) => (mean(v) >= mean(other) ? `$\\mathbf{${cell(v)}}$` : `$${cell(v)}$`);

  expect(latex).toContain('\\begin{tabular}{lllrrrrrr}');
  expect(latex).toContain('    dataset & strategy & K & seeds & test (mean ± std) & best student test & epochs to 95\\% & ms/epoch & $p$ vs.\\ independent \\\\');
  expect(latex).toMatch(new RegExp(`^    csbm:200:800:3:8 & independent & 2 & 3 & ${escapeRegExp(bold(independent, align))} & .* & ref\\. \\\\\\\\$`, 'm'));
  expect(latex).toMatch(new RegExp(`^    csbm:200:800:3:8 & alignahead & 2 & 3 & ${escapeRegExp(bold(align, independent))} & .* & ${escapeRegExp(pText)} \\\\\\\\$`, 'm'));

  const recorded = await cli(['sweep', 'table', '--group', 'paper', '--db', db, '--format', 'latex']);
  expect(recorded.code).toBe(0);
  // the same table from the history alone, up to the epoch times (the recorded median is over the stored epochs)
  const withoutTimes = (text: string) => text.replace(/& \$[^$]*\$ & (ref\.|\$[^$]*\$) \\\\$/gm, '& $1 \\\\');
  expect(withoutTimes(recorded.out.join('\n'))).toBe(withoutTimes(latex));

  const markdown = await cli(['sweep', 'table', '--group', 'paper', '--db', db, '--format', 'markdown', '--reference', 'alignahead']);
  const lines = markdown.out.join('\n').split('\n');
  expect(lines.slice(2, 4)).toEqual(['| dataset | strategy | K | seeds | test (mean ± std) | best student test | epochs to 95% | ms/epoch | p vs alignahead |', '|:---|:---|:---|---:|---:|---:|---:|---:|---:|']);
  expect(lines[4]).toMatch(/^\| csbm:200:800:3:8 \| independent \| 2 \| 3 \| .* \| (< 0\.001|\d\.\d{3}) \|$/);

  const refused = await cli(['sweep', 'table', '--group', 'paper', '--db', db, '--format', 'html']);
  expect(refused).toMatchObject({ code: 2, err: ["alignahead sweep table: --format: expected text, markdown, latex, got 'html'"] });
  const unknownReference = await cli(['sweep', ...grid, '--db', db, '--reference', 'dml']);
  expect(unknownReference).toMatchObject({ code: 2, err: ["alignahead sweep: --reference: 'dml' is not one of the swept strategies (independent, alignahead)"] });
}, 120_000);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
