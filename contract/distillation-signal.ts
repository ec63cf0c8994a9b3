/**
 * The "is the distillation doing anything" diagnostic as the store, the API, the charts and the CSV
 * export carry it: one row per epoch, ordered pair of students and planned layer pair (docs/PROTOCOL.md).
 * Students and layers are 0-based, as in AlignmentMatrixRow; NaN figures travel as null.
 */
export interface DistillationSignalRow {
  epoch: number;
  student: number;
  peer: number;
  studentLayer: number;
  peerLayer: number;
  /** the l1 kernel's τ this pair used at this epoch (τ auto: measured on the evaluation nodes); null for other kernels */
  tau: number | null;
  /** quartiles of the peer layer's neighbour distances over τ (null for kernels without τ) */
  distanceOverTauQ1: number | null;
  distanceOverTauMedian: number | null;
  distanceOverTauQ3: number | null;
  /** KL(peer ‖ student) per node, averaged over the evaluation nodes */
  meanKl: number | null;
  /** 1 − mean H(LS)/log(degree) of the peer's structure, and of the student's */
  contrast: number | null;
  studentContrast: number | null;
  /** 'active' | 'near-uniform' | 'saturated' | 'unknown' (thresholds in docs/PROTOCOL.md) */
  state: SignalStateName;
}

export const SIGNAL_STATES = ['active', 'near-uniform', 'saturated', 'unknown'] as const;

/**
 * The thresholds of the states, measured and justified in core/distill/inert-warning.ts and
 * docs/PROTOCOL.md: a structure contrast below INERT_CONTRAST is near-uniform; a median d/τ above
 * SATURATED_DISTANCE_OVER_TAU is saturated. Here so the charts draw the lines the warning uses.
 */
export const INERT_CONTRAST = 1e-4;
export const SATURATED_DISTANCE_OVER_TAU = 5;
export type SignalStateName = (typeof SIGNAL_STATES)[number];

/** Column order for CSV export and tables. */
export const DISTILLATION_SIGNAL_COLUMNS = [
  'epoch',
  'student',
  'peer',
  'studentLayer',
  'peerLayer',
  'tau',
  'distanceOverTauQ1',
  'distanceOverTauMedian',
  'distanceOverTauQ3',
  'meanKl',
  'contrast',
  'studentContrast',
  'state',
] as const satisfies readonly (keyof DistillationSignalRow)[];
