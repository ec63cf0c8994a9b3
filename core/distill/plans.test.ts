import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { builtinPlan, formatPlan, parsePlan, peerLayersOf, resolvePlan, studentLayersOf, validatePlan } from './plans';

// Expected pairs written out by hand, 1-based "student<-peer", from ALGORITHM.md's table.
const EXPECTED: Record<string, Record<number, string>> = {
  'one-to-one': { 1: '1<-1', 2: '1<-1,2<-2', 3: '1<-1,2<-2,3<-3', 4: '1<-1,2<-2,3<-3,4<-4', 5: '1<-1,2<-2,3<-3,4<-4,5<-5' },
  'align-ahead': { 1: '1<-1', 2: '2<-1,1<-2', 3: '2<-1,3<-2,1<-3', 4: '2<-1,3<-2,4<-3,1<-4', 5: '2<-1,3<-2,4<-3,5<-4,1<-5' },
  'align-behind': { 1: '1<-1', 2: '1<-2,2<-1', 3: '1<-2,2<-3,3<-1', 4: '1<-2,2<-3,3<-4,4<-1', 5: '1<-2,2<-3,3<-4,4<-5,5<-1' },
  none: { 1: '', 2: '', 3: '', 4: '', 5: '' },
};

describe('builtin plans', () => {
  for (const [name, byDepth] of Object.entries(EXPECTED)) {
    for (const [depth, pairs] of Object.entries(byDepth)) {
      it(`${name} for L = ${depth} is ${pairs || 'empty'}`, () => {
        const plan = builtinPlan(name, Number(depth));
        expect(plan.name).toBe(name);
        expect(formatPlan(plan)).toBe(pairs);
        expect(() => validatePlan(plan, Number(depth), Number(depth))).not.toThrow();
      });
    }
  }

  it('matches the PyTorch peer for align-ahead with 4 layers (0-based (student, peer))', () => {
    // peer_torch.pairs('alignahead', 4) = [(1,0),(2,1),(3,2),(0,3)]
    expect(builtinPlan('alignahead', 4).pairs.map((p) => [p.student, p.peer])).toEqual([[1, 0], [2, 1], [3, 2], [0, 3]]);
    expect(builtinPlan('oc', 3).pairs.map((p) => [p.student, p.peer])).toEqual([[0, 0], [1, 1], [2, 2]]);
  });

  it('resolves aliases to canonical names', () => {
    expect(builtinPlan('oc', 2).name).toBe('one-to-one');
    expect(builtinPlan('alignahead', 2).name).toBe('align-ahead');
    expect(builtinPlan('independent', 2).name).toBe('none');
    expect(builtinPlan('Align-Ahead', 2).name).toBe('align-ahead');
  });

  it('rejects unknown names and bad depths', () => {
    expect(() => builtinPlan('sideways', 3)).toThrow(UserError);
    expect(() => builtinPlan('sideways', 3)).toThrow(/unknown plan 'sideways'/);
    expect(() => builtinPlan('oc', 0)).toThrow(UserError);
    expect(() => builtinPlan('oc', 2.5)).toThrow(UserError);
  });
});

describe('parsePlan', () => {
  it('reads 1-based pairs into 0-based indices', () => {
    const plan = parsePlan('1<-3, 2 <- 1,3←2', 'mine');
    expect(plan.name).toBe('mine');
    expect(plan.pairs).toEqual([
      { student: 0, peer: 2 },
      { student: 1, peer: 0 },
      { student: 2, peer: 1 },
    ]);
    expect(formatPlan(plan)).toBe('1<-3,2<-1,3<-2');
    expect(parsePlan(formatPlan(plan)).pairs).toEqual(plan.pairs);
  });

  it.each([
    ['', /no pairs/],
    ['1<-2,', /cannot read pair ''/],
    ['1->2', /cannot read pair '1->2'/],
    ['a<-1', /cannot read pair 'a<-1'/],
    ['1.5<-1', /cannot read pair '1.5<-1'/],
    ['-1<-1', /cannot read pair '-1<-1'/],
    ['0<-1', /layer 0/],
    ['2<-1,2<-1', /pair 2<-1 appears twice/],
  ])('rejects %j', (text, message) => {
    expect(() => parsePlan(text)).toThrow(UserError);
    expect(() => parsePlan(text)).toThrow(message);
  });
});

describe('validatePlan', () => {
  it('names the pair whose layer is out of range', () => {
    expect(() => validatePlan(parsePlan('1<-1,4<-2'), 3, 3)).toThrow(/pair 4<-2 names student layer 4, but the student has 3/);
    expect(() => validatePlan(parsePlan('1<-5'), 3, 4)).toThrow(/pair 1<-5 names peer layer 5, but the peer has 4/);
    expect(() => validatePlan({ name: 'x', pairs: [{ student: -1, peer: 0 }] }, 3, 3)).toThrow(UserError);
  });

  it('rejects duplicate pairs built by hand', () => {
    const plan = { name: 'dup', pairs: [{ student: 1, peer: 0 }, { student: 1, peer: 0 }] };
    expect(() => validatePlan(plan, 2, 2)).toThrow(/pair 2<-1 appears twice/);
  });

  it('accepts plans between students of different depths', () => {
    expect(() => validatePlan(parsePlan('1<-1,2<-4'), 2, 4)).not.toThrow();
  });
});

describe('resolvePlan and layer lists', () => {
  it('takes builtin names or pair lists and checks them', () => {
    expect(formatPlan(resolvePlan('alignahead', 3))).toBe('2<-1,3<-2,1<-3');
    expect(formatPlan(resolvePlan('2<-2', 3))).toBe('2<-2');
    expect(() => resolvePlan('4<-1', 3)).toThrow(UserError);
    expect(() => resolvePlan('oc', 2, 3)).toThrow(/equal depths/);
    expect(resolvePlan('none', 2, 3).pairs).toEqual([]);
  });

  it('lists the distinct peer and student layers', () => {
    const plan = parsePlan('3<-1,1<-1,2<-3');
    expect(peerLayersOf(plan)).toEqual([0, 2]);
    expect(studentLayersOf(plan)).toEqual([0, 1, 2]);
  });
});
