import type { RunConfig, Strategy } from '../../../contract/run-config';
import { validateForm, type ExperimentForm, type FieldErrors } from './experiment-form';

/** The sweep launcher: strategies × students × seeds, one validated config per run. */

export interface SweepForm {
  enabled: boolean;
  strategies: Strategy[];
  /** comma list, e.g. "2,3,4" */
  students: string;
  /** comma list and ranges, e.g. "0-4" or "0,7,42" */
  seeds: string;
  group: string;
}

export const DEFAULT_SWEEP: SweepForm = { enabled: false, strategies: ['oc', 'alignahead'], students: '2', seeds: '0-2', group: '' };

const MAX_SWEEP_RUNS = 500;

/** "0-2,7" → [0, 1, 2, 7]; a message naming the bad part otherwise. */
function parseIntegerList(text: string, what: string, min: number, max: number): number[] | string {
  const values: number[] = [];
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) return `${what}: give at least one value`;
  for (const part of parts) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) return `${what}: range "${part}" runs backwards`;
      if (to - from > 500) return `${what}: range "${part}" is too long`;
      for (let v = from; v <= to; v++) values.push(v);
    } else if (/^\d+$/.test(part)) {
      values.push(Number(part));
    } else {
      return `${what}: "${part}" is not a whole number or a range like 0-4`;
    }
  }
  const bad = values.find((v) => v < min || v > max);
  if (bad !== undefined) return `${what}: ${bad} is outside ${min}..${max}`;
  return [...new Set(values)];
}

export type SweepResult = { ok: true; configs: RunConfig[]; group: string | undefined } | { ok: false; errors: FieldErrors };

/**
 * One config per (strategy, students, seed), each validated like a single run. The group names the
 * sweep so the compare view can pick it up as a whole.
 */
export function expandSweep(form: ExperimentForm, sweep: SweepForm): SweepResult {
  const studentCounts = parseIntegerList(sweep.students, 'students', 1, 16);
  const seeds = parseIntegerList(sweep.seeds, 'seeds', 0, 2 ** 31 - 1);
  if (typeof studentCounts === 'string') return { ok: false, errors: { sweep: studentCounts } };
  if (typeof seeds === 'string') return { ok: false, errors: { sweep: seeds } };
  if (sweep.strategies.length === 0) return { ok: false, errors: { sweep: 'strategies: pick at least one' } };
  const total = sweep.strategies.length * studentCounts.length * seeds.length;
  if (total > MAX_SWEEP_RUNS) return { ok: false, errors: { sweep: `${total} runs is more than the ${MAX_SWEEP_RUNS} one sweep may queue` } };
  const base = form.name.trim() || form.data.trim();
  const configs: RunConfig[] = [];
  for (const strategy of sweep.strategies) {
    for (const students of studentCounts) {
      for (const seed of seeds) {
        const result = validateForm({ ...form, strategy, students, seed, name: `${base} ${strategy} ×${students} seed ${seed}` });
        if (!result.ok) {
          const [field, message] = Object.entries(result.errors)[0];
          return { ok: false, errors: { ...result.errors, sweep: `${strategy} ×${students} seed ${seed}: ${field}: ${message}` } };
        }
        configs.push(result.config);
      }
    }
  }
  return { ok: true, configs, group: sweep.group.trim() || undefined };
}
