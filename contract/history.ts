/** What the history.* calls answer (contract/api.ts). */

/** A finished backup: the file, its size, and what it holds (it passed integrity_check). */
export interface HistoryBackup {
  path: string;
  bytes: number;
  runs: number;
  epochRows: number;
}

/** What importing a history file did: runs added (their ids here), runs skipped as already here. */
export interface HistoryImport {
  file: string;
  imported: number;
  skipped: number;
  /** datasets registered because imported runs referred to them */
  datasets: number;
  runIds: number[];
}
