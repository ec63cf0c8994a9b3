import { mean, sampleStd, welchTTest } from './stats';

/**
 * Results tables as researchers put them in papers: one row per group of runs (a strategy, or a
 * dataset × strategy × K cell of a sweep) with the mean ± sample standard deviation of its scores
 * over seeds, and the two-sided Welch p-value against a reference group. Built once here and
 * written as LaTeX (booktabs), Markdown or aligned plain text, for the CLI's `sweep` and the compare
 * view alike. Pure: no I/O, no DOM.
 */

/** A summary of one group's scores (one per run): n = how many; std is NaN below two. */
export interface ScoreSummary {
  mean: number;
  std: number;
  n: number;
}

export type ResultCell =
  | { kind: 'text'; text: string }
  | { kind: 'count'; value: number }
  | { kind: 'score'; summary: ScoreSummary; digits: number; best: boolean }
  /** p: null for the reference row itself, NaN when a test is impossible (fewer than two scores) */
  | { kind: 'p'; p: number | null };

export interface ResultTable {
  caption: string;
  columns: { header: string; align: 'left' | 'right' }[];
  rows: ResultCell[][];
}

export interface ScoreRowInput {
  /** the row's describing cells: strategy; or dataset, strategy, K */
  keys: string[];
  /** rows of one block are compared with each other: the best mean is marked, the reference is found */
  block: string;
  /** the measures of this row (one list per score column), one value per run */
  scores: number[][];
  /** this row is its block's reference for the p-values */
  reference: boolean;
}

export interface ScoreTableSpec {
  caption: string;
  keyHeaders: string[];
  /** the header of the run-count column [runs] */
  countHeader?: string;
  /** a header and the number of decimals for each score column; the p-value tests the first one */
  scoreColumns: { header: string; digits: number; higherIsBetter: boolean }[];
  /** the reference's name for the p-value column's header, e.g. "independent" */
  referenceName: string;
  rows: ScoreRowInput[];
}

export function summarize(values: readonly number[]): ScoreSummary {
  const finite = values.filter(Number.isFinite);
  return { mean: mean(finite), std: finite.length > 1 ? sampleStd(finite) : Number.NaN, n: finite.length };
}

/**
 * The table of a spec: its key cells, one score cell per measure (the best mean of each block
 * marked), the run count, and Welch's p-value of the first measure against the block's reference.
 */
export function scoreTable(spec: ScoreTableSpec): ResultTable {
  const summaries = spec.rows.map((row) => row.scores.map(summarize));
  const bestOf = new Map<string, number[]>();
  spec.rows.forEach((row, r) => {
    const best = bestOf.get(row.block) ?? spec.scoreColumns.map((c) => (c.higherIsBetter ? -Infinity : Infinity));
    summaries[r].forEach((s, c) => {
      if (Number.isFinite(s.mean)) best[c] = spec.scoreColumns[c].higherIsBetter ? Math.max(best[c], s.mean) : Math.min(best[c], s.mean);
    });
    bestOf.set(row.block, best);
  });
  const rows = spec.rows.map((row, r): ResultCell[] => {
    const reference = spec.rows.find((other) => other.block === row.block && other.reference);
    const p = row.reference ? null : reference ? (welchTTest(finiteOf(row.scores[0]), finiteOf(reference.scores[0]))?.p ?? Number.NaN) : Number.NaN;
    return [
      ...row.keys.map((text): ResultCell => ({ kind: 'text', text })),
      { kind: 'count', value: row.scores[0].length },
      ...summaries[r].map((summary, c): ResultCell => ({ kind: 'score', summary, digits: spec.scoreColumns[c].digits, best: summary.mean === bestOf.get(row.block)![c] })),
      { kind: 'p', p },
    ];
  });
  return {
    caption: spec.caption,
    columns: [
      ...spec.keyHeaders.map((header) => ({ header, align: 'left' as const })),
      { header: spec.countHeader ?? 'runs', align: 'right' },
      ...spec.scoreColumns.map((c) => ({ header: c.header, align: 'right' as const })),
      { header: `p vs ${spec.referenceName}`, align: 'right' },
    ],
    rows,
  };
}

const finiteOf = (values: readonly number[]) => values.filter(Number.isFinite);

/** p-values as papers print them: three decimals, "< 0.001" below that. */
export function formatP(p: number | null): string {
  if (p === null) return 'ref.';
  if (!Number.isFinite(p)) return '–';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

function scoreText(summary: ScoreSummary, digits: number, pm: string): string {
  if (!Number.isFinite(summary.mean)) return '–';
  return Number.isFinite(summary.std) ? `${summary.mean.toFixed(digits)}${pm}${summary.std.toFixed(digits)}` : summary.mean.toFixed(digits);
}

/** LaTeX special characters in text cells, escaped. */
export function latexEscape(text: string): string {
  const replacements: Record<string, string> = {
    '\\': '\\textbackslash{}',
    '&': '\\&',
    '%': '\\%',
    $: '\\$',
    '#': '\\#',
    _: '\\_',
    '{': '\\{',
    '}': '\\}',
    '~': '\\textasciitilde{}',
    '^': '\\textasciicircum{}',
  };
  return text.replace(/[\\&%$#_{}~^]/g, (c) => replacements[c]);
}

/** A booktabs table (needs \usepackage{booktabs}); the best mean of each block in bold. */
export function toLatex(table: ResultTable, label = 'tab:results'): string {
  const cell = (c: ResultCell): string => {
    switch (c.kind) {
      case 'text':
        return latexEscape(c.text);
      case 'count':
        return String(c.value);
      case 'score': {
        const text = scoreText(c.summary, c.digits, ' \\pm ');
        if (text === '–') return '--';
        return c.best ? `$\\mathbf{${text}}$` : `$${text}$`;
      }
      case 'p':
        return c.p === null ? 'ref.' : !Number.isFinite(c.p) ? '--' : c.p < 0.001 ? '$< 0.001$' : `$${c.p.toFixed(3)}$`;
    }
  };
  const spec = table.columns.map((c) => (c.align === 'left' ? 'l' : 'r')).join('');
  const line = (cells: string[]) => `    ${cells.join(' & ')} \\\\`;
  return [
    '\\begin{table}[t]',
    '  \\centering',
    `  \\caption{${latexEscape(table.caption)}}`,
    `  \\label{${label}}`,
    `  \\begin{tabular}{${spec}}`,
    '    \\toprule',
    line(table.columns.map((c) => latexEscape(c.header).replace(/^p vs /, '$p$ vs.\\ '))),
    '    \\midrule',
    ...table.rows.map((row) => line(row.map(cell))),
    '    \\bottomrule',
    '  \\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}

function plainCell(c: ResultCell, bold: (text: string) => string): string {
  switch (c.kind) {
    case 'text':
      return c.text;
    case 'count':
      return String(c.value);
    case 'score': {
      const text = scoreText(c.summary, c.digits, ' ± ');
      return c.best && text !== '–' ? bold(text) : text;
    }
    case 'p':
      return formatP(c.p);
  }
}

/** A GitHub-flavoured Markdown table with the caption above it; the best mean of each block in bold. */
export function toMarkdown(table: ResultTable): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.map(escape).join(' | ')} |`;
  return [
    `**${escape(table.caption)}**`,
    '',
    line(table.columns.map((c) => c.header)),
    `|${table.columns.map((c) => (c.align === 'left' ? ':---' : '---:')).join('|')}|`,
    ...table.rows.map((row) => line(row.map((c) => plainCell(c, (text) => `**${text}**`)))),
    '',
  ].join('\n');
}

/** Aligned plain text for a terminal: columns padded, numbers right-aligned, the best mean marked with *. */
export function toText(table: ResultTable): string {
  const cells = table.rows.map((row) => row.map((c) => plainCell(c, (text) => `${text}*`)));
  const headers = table.columns.map((c) => c.header);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (row: string[]) => row.map((c, i) => (table.columns[i].align === 'left' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
