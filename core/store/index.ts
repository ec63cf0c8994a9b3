/** The experiment store's public surface: open a store, then use its methods and records. */
export { ExperimentStore, openStore, type StoreOptions } from './store';
export { migrate, loadMigrations, schemaVersion, DEFAULT_MIGRATIONS_DIR, type Migration, type MigrationResult } from './migrate';
export { defaultDatabasePath } from './default-path';
export { canTransition, isFinished } from './run-status';
export * from './types';
export { currentOwner, hostId, HOST_ID_ENV_VAR, STALE_HEARTBEAT_MS, HEARTBEAT_INTERVAL_MS, type RunOwner, type LivenessProbe } from './run-owner';
export type { Heartbeat } from './heartbeat-thread';
export type { BackupResult } from './backup';
export type { ImportOptions, ImportResult } from './history-import';
