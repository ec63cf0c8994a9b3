import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, type ExperimentForm } from './experiment-form';
import { DEFAULT_SWEEP, expandSweep } from './sweep';

const form = (patch: Partial<ExperimentForm>): ExperimentForm => ({ ...DEFAULT_FORM, ...patch });
const sweep = { ...DEFAULT_SWEEP, enabled: true };
const sweepError = (patch: Partial<typeof sweep>) => {
  const result = expandSweep(DEFAULT_FORM, { ...sweep, ...patch });
  return result.ok ? null : result.errors.sweep;
};

describe('sweep launcher', () => {
  it('expands strategies × students × seeds into validated configs', () => {
    const result = expandSweep(form({ name: 'cora' }), { ...sweep, strategies: ['oc', 'alignahead'], students: '2,3', seeds: '0-2', group: 'g1' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.configs).toHaveLength(2 * 2 * 3);
    expect(result.group).toBe('g1');
    const keys = result.configs.map((c) => `${c.strategy}/${c.students}/${c.seed}`);
    expect(new Set(keys).size).toBe(12);
    expect(keys).toContain('alignahead/3/2');
    expect(result.configs[0].name).toBe('cora oc ×2 seed 0');
  });

  it('reports malformed lists and invalid combinations', () => {
    expect(expandSweep(DEFAULT_FORM, { ...sweep, seeds: '0-x' })).toEqual({ ok: false, errors: { sweep: 'seeds: "0-x" is not a whole number or a range like 0-4' } });
    expect(expandSweep(DEFAULT_FORM, { ...sweep, strategies: [] }).ok).toBe(false);
    expect(sweepError({ strategies: ['alignahead'], students: '1' })).toMatch(/alignahead ×1 seed 0: students/);
    expect(sweepError({ strategies: ['oc', 'alignahead'], students: '2,3,4', seeds: '0-99' })).toMatch(/600 runs/);
  });

  it('reads integer lists with ranges, drops repeats and checks bounds', () => {
    const result = expandSweep(DEFAULT_FORM, { ...sweep, strategies: ['oc'], seeds: '0-2, 7, 2' });
    expect(result.ok && result.configs.map((c) => c.seed)).toEqual([0, 1, 2, 7]);
    expect(sweepError({ seeds: '5-3' })).toMatch(/backwards/);
    expect(sweepError({ students: '17' })).toMatch(/17 is outside 1..16/);
    expect(sweepError({ seeds: '' })).toMatch(/at least one/);
  });
});
