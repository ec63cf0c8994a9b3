import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as contract from '../../contract/api';
import { RUN_STATUS_VALUES } from '../../contract/api';
import type * as store from './types';
import { RUN_STATUSES } from './types';

/**
 * contract/api.ts restates the store's record shapes on purpose: the renderer may import contract/
 * but never core/. These checks keep the two copies in step; a drift fails `tsc` (the expectTypeOf
 * lines are compile-time) or, for the status list, this test. The file sits in core/ because the
 * lint layering forbids contract/ files from importing core/.
 */

type StoreStudentBest = store.RunListItem['students'][number];
/** What the API adds to a run record for the detail view, or serialises differently. */
type RunDetailFromRecord = 'config' | 'notes' | 'backend' | 'backendReport' | 'versions' | 'cancelRequested';

describe('contract record shapes match the store records', () => {
  it('run statuses', () => {
    expectTypeOf<contract.RunStatus>().toEqualTypeOf<store.RunStatus>();
    expect([...RUN_STATUS_VALUES]).toEqual([...RUN_STATUSES]);
  });

  it('run list lines and their students', () => {
    expectTypeOf<contract.RunSummary>().toEqualTypeOf<store.RunListItem>();
    expectTypeOf<contract.StudentBest>().toEqualTypeOf<StoreStudentBest>();
  });

  it('run details: the record fields they carry and the full student summaries', () => {
    expectTypeOf<Pick<contract.RunDetail, RunDetailFromRecord>>().toEqualTypeOf<Pick<store.RunRecord, RunDetailFromRecord>>();
    expectTypeOf<contract.StudentConvergence>().toEqualTypeOf<store.StudentSummary>();
  });

  it('epoch metrics', () => {
    expectTypeOf<contract.EpochMetricRow>().toEqualTypeOf<store.EpochMetric>();
  });

  it('alignment matrices, whose values travel as a plain array instead of a Float32Array', () => {
    expectTypeOf<Omit<contract.AlignmentMatrixRow, 'data'>>().toEqualTypeOf<Omit<store.AlignmentMatrix, 'data'>>();
    expectTypeOf<contract.AlignmentMatrixRow['data']>().toEqualTypeOf<number[]>();
    expectTypeOf<store.AlignmentMatrix['data']>().toEqualTypeOf<Float32Array>();
  });

  it('run events, less the run id and data the API leaves out', () => {
    expectTypeOf<contract.RunEventRow>().toEqualTypeOf<Omit<store.RunEvent, 'runId' | 'data'>>();
  });
});
