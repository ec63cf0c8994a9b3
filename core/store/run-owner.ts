import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who owns a running run, and the one rule that decides whether that owner is gone.
 *
 * A running run records its owner: the host, the process id, and the process's start time (so a
 * pid reused by another program is not mistaken for the trainer). The owner also refreshes the
 * run's heartbeat from a timer thread (see heartbeat-thread.ts). A run may be shown `interrupted`
 * only when its owner is provably gone:
 *   - same host: no process has that pid, or the process with that pid started at another time;
 *   - another host (or an owner recorded without a host): its heartbeat is older than the limit.
 * Serve mode, the desktop app and `runs list` all apply this rule through the store, never another.
 */

export interface RunOwner {
  /** identifies the machine and its process namespace: pids are only comparable within one */
  host: string;
  pid: number;
  /** an opaque token of the process's start time; null where the platform cannot tell */
  startToken: string | null;
}

/** The owner refreshes its heartbeat this often, from a thread of its own (independent of epoch length). */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * An owner on another host whose heartbeat is older than this is taken for gone: 12 missed beats,
 * room for a busy disk or a paused laptop, and for clocks a few seconds apart.
 */
export const STALE_HEARTBEAT_MS = 60_000;

/** Environment variable overriding that limit, in seconds (hosts sharing a database over a slow link). */
export const STALE_AFTER_ENV_VAR = 'ALIGNAHEAD_STALE_AFTER_S';

/** The limit in force: ALIGNAHEAD_STALE_AFTER_S when set, else STALE_HEARTBEAT_MS. */
export function staleHeartbeatLimitMs(): number {
  const fromEnv = process.env[STALE_AFTER_ENV_VAR]?.trim();
  if (!fromEnv) return STALE_HEARTBEAT_MS;
  const seconds = Number(fromEnv);
  if (!Number.isFinite(seconds) || seconds <= HEARTBEAT_INTERVAL_MS / 1000) {
    throw new Error(`${STALE_AFTER_ENV_VAR} must be a number of seconds above the heartbeat interval (${HEARTBEAT_INTERVAL_MS / 1000} s), got '${fromEnv}'`);
  }
  return seconds * 1000;
}

/** Environment variable that names this host (machines whose ids collide, containers, tests). */
export const HOST_ID_ENV_VAR = 'ALIGNAHEAD_HOST_ID';

let ownHost: string | null = null;

/**
 * This machine's id: `ALIGNAHEAD_HOST_ID` when set, else the hostname with the systemd machine id
 * and, on Linux, the pid namespace: two containers on one machine see different pids and must not
 * judge each other's processes.
 */
export function hostId(): string {
  const fromEnv = process.env[HOST_ID_ENV_VAR]?.trim();
  if (fromEnv) return fromEnv;
  if (ownHost === null) {
    const parts = [hostname()];
    const machineId = readOrNull('/etc/machine-id')?.trim();
    if (machineId) parts.push(machineId.slice(0, 12));
    const pidNamespace = linkOrNull('/proc/self/ns/pid');
    if (pidNamespace) parts.push(pidNamespace.replace(/^pid:\[(\d+)\]$/, 'pidns$1'));
    ownHost = parts.join('/');
  }
  return ownHost;
}

/** This process as a run owner. */
export function currentOwner(): RunOwner {
  return { host: hostId(), pid: process.pid, startToken: processStartToken(process.pid) };
}

/**
 * When a process started, as a token that differs for a later process given the same pid: on
 * Linux the boot id with the start tick of /proc/PID/stat; on macOS what `ps` reports; null where
 * neither works (Windows, or the process is gone).
 */
export function processStartToken(pid: number): string | null {
  if (process.platform === 'linux') {
    const stat = readOrNull(`/proc/${pid}/stat`);
    if (stat === null) return null;
    // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses, so count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19];
    if (!startTicks) return null;
    const bootId = readOrNull('/proc/sys/kernel/random/boot_id')?.trim() ?? 'boot';
    return `linux:${bootId}:${startTicks}`;
  }
  if (process.platform === 'darwin') {
    try {
      const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return started ? `ps:${started}` : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** Signal 0 tests for existence; EPERM means it exists under another user. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LivenessProbe {
  host: string;
  now: Date;
  staleAfterMs: number;
  exists(pid: number): boolean;
  startToken(pid: number): string | null;
}

/** The probe a store uses unless a test gives its own. */
export function systemProbe(now: Date, staleAfterMs: number = staleHeartbeatLimitMs()): LivenessProbe {
  return { host: hostId(), now, staleAfterMs, exists: processExists, startToken: processStartToken };
}

/**
 * Why a running run's owner is provably gone, or null while it may be alive. `owner` is what the
 * run recorded (null: a run from before owners were recorded), `heartbeatAt` its last beat.
 */
export function ownerGoneReason(owner: RunOwner | null, heartbeatAt: string | null, probe: LivenessProbe): string | null {
  if (owner && owner.host === probe.host) {
    if (!probe.exists(owner.pid)) return `process ${owner.pid} ended without finishing the run`;
    if (owner.startToken !== null) {
      const actual = probe.startToken(owner.pid);
      if (actual !== null && actual !== owner.startToken) return `process ${owner.pid} ended without finishing the run (its pid now belongs to another process)`;
    }
    return null;
  }
  const last = heartbeatAt === null ? Number.NaN : Date.parse(heartbeatAt);
  const ageMs = probe.now.getTime() - last;
  if (Number.isNaN(last) || ageMs > probe.staleAfterMs) {
    const where = owner ? `process ${owner.pid} on host ${owner.host}` : 'its process (host not recorded)';
    const since = Number.isNaN(last) ? 'never sent a heartbeat' : `sent no heartbeat for ${Math.round(ageMs / 1000)} s`;
    return `${where} ${since} (limit ${Math.round(probe.staleAfterMs / 1000)} s)`;
  }
  return null;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function linkOrNull(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}
