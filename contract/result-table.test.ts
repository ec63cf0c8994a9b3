import { describe, expect, it } from 'vitest';
import { latexEscape, scoreTable, summarize, toLatex, toMarkdown, toText, type ScoreTableSpec } from './result-table';
import { welchTTest } from './stats';

/** The paper tables written exactly: LaTeX (booktabs), Markdown and plain text from one table. */

const ALIGN = [0.812, 0.818, 0.809, 0.815];
const OC = [0.801, 0.799, 0.806, 0.8];
const INDEPENDENT = [0.79, 0.795, 0.788, 0.792];

const spec: ScoreTableSpec = {
  caption: 'Cora, GCN: test accuracy at best validation (4 seeds)',
  keyHeaders: ['strategy'],
  referenceName: 'independent',
  scoreColumns: [
    { header: 'test', digits: 3, higherIsBetter: true },
    { header: 'epochs to 95%', digits: 1, higherIsBetter: false },
  ],
  rows: [
    { keys: ['independent'], block: 'cora', scores: [INDEPENDENT, [40, 42, 41, 39]], reference: true },
    { keys: ['oc'], block: 'cora', scores: [OC, [30, 31, 29, 30]], reference: false },
    { keys: ['alignahead'], block: 'cora', scores: [ALIGN, [25, 27, 26, 24]], reference: false },
    { keys: ['single_seed'], block: 'cora', scores: [[0.7], [50]], reference: false },
  ],
};

const pOf = (a: number[], b: number[]) => welchTTest(a, b)!.p;

describe('the score table', () => {
  it('has the mean ± sample std of each group, the best marked per column, and Welch p against the reference', () => {
    const table = scoreTable(spec);
    expect(table.columns.map((c) => c.header)).toEqual(['strategy', 'runs', 'test', 'epochs to 95%', 'p vs independent']);
    const align = table.rows[2];
    expect(align[1]).toEqual({ kind: 'count', value: 4 });
    expect(align[2]).toEqual({ kind: 'score', summary: summarize(ALIGN), digits: 3, best: true });
    expect(align[3]).toMatchObject({ best: true });
    expect(align[4]).toEqual({ kind: 'p', p: pOf(ALIGN, INDEPENDENT) });
    expect(table.rows[0][4]).toEqual({ kind: 'p', p: null });
    // one seed: no std, and no test possible
    expect(table.rows[3][2]).toMatchObject({ summary: { mean: 0.7, n: 1 } });
    expect(Number.isNaN((table.rows[3][4] as { p: number }).p)).toBe(true);
  });

  it('writes LaTeX with booktabs rules, escaped text, bold best means and p-values', () => {
    const p = (a: number[]) => pOf(a, INDEPENDENT);
    expect(p(ALIGN)).toBeLessThan(0.001);
    expect(toLatex(scoreTable(spec), 'tab:cora')).toBe(
      [
        '\\begin{table}[t]',
        '  \\centering',
        '  \\caption{Cora, GCN: test accuracy at best validation (4 seeds)}',
        '  \\label{tab:cora}',
        '  \\begin{tabular}{lrrrr}',
        '    \\toprule',
        '    strategy & runs & test & epochs to 95\\% & $p$ vs.\\ independent \\\\',
        '    \\midrule',
        `    independent & 4 & $0.791 \\pm 0.003$ & $40.5 \\pm 1.3$ & ref. \\\\`,
        `    oc & 4 & $0.802 \\pm 0.003$ & $30.0 \\pm 0.8$ & $${p(OC).toFixed(3)}$ \\\\`,
        '    alignahead & 4 & $\\mathbf{0.814 \\pm 0.004}$ & $\\mathbf{25.5 \\pm 1.3}$ & $< 0.001$ \\\\',
        '    single\\_seed & 1 & $0.700$ & $50.0$ & -- \\\\',
        '    \\bottomrule',
        '  \\end{tabular}',
        '\\end{table}',
        '',
      ].join('\n'),
    );
  });

  it('writes a Markdown table with the caption, aligned columns and bold best means', () => {
    expect(toMarkdown(scoreTable(spec))).toBe(
      [
        '**Cora, GCN: test accuracy at best validation (4 seeds)**',
        '',
        '| strategy | runs | test | epochs to 95% | p vs independent |',
        '|:---|---:|---:|---:|---:|',
        '| independent | 4 | 0.791 ± 0.003 | 40.5 ± 1.3 | ref. |',
        `| oc | 4 | 0.802 ± 0.003 | 30.0 ± 0.8 | ${pOf(OC, INDEPENDENT).toFixed(3)} |`,
        '| alignahead | 4 | **0.814 ± 0.004** | **25.5 ± 1.3** | < 0.001 |',
        '| single_seed | 1 | 0.700 | 50.0 | – |',
        '',
      ].join('\n'),
    );
  });

  it('writes aligned text for a terminal', () => {
    const lines = toText(scoreTable(spec)).split('\n');
    expect(lines[0]).toBe('strategy     runs            test  epochs to 95%  p vs independent');
    expect(lines[1]).toBe('-----------  ----  --------------  -------------  ----------------');
    expect(lines[4]).toBe('alignahead      4  0.814 ± 0.004*    25.5 ± 1.3*           < 0.001');
  });

  it('marks the best within each block (a sweep compares strategies per dataset and K)', () => {
    const blocks = scoreTable({
      ...spec,
      rows: [
        { keys: ['a'], block: 'x', scores: [[0.5, 0.6], [1, 2]], reference: true },
        { keys: ['b'], block: 'y', scores: [[0.4, 0.5], [1, 2]], reference: true },
      ],
    });
    expect(blocks.rows.map((row) => (row[2] as { best: boolean }).best)).toEqual([true, true]);
  });

  it('escapes every LaTeX special character in text', () => {
    expect(latexEscape('a_b & c%d $e #f {g} ~h ^i \\j')).toBe('a\\_b \\& c\\%d \\$e \\#f \\{g\\} \\textasciitilde{}h \\textasciicircum{}i \\textbackslash{}j');
  });
});
