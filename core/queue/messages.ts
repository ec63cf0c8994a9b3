import { z } from 'zod';
import { SIGNAL_STATES } from '../../contract/distillation-signal';
import { describeConfigIssues, runConfigSchema, type RunConfig } from '../../contract/run-config';

/**
 * What travels through Redis, and the checks at both ends. A job message (BullMQ job data, coordinator
 * → worker) says which run to train and on what data; result messages (a Redis stream, worker →
 * coordinator) carry every call the trainer makes on its store, in order, so the coordinator can make
 * the same calls on its own store. Both come from another machine: each is validated here before
 * anything acts on it, and a refusal names the problem.
 *
 * Bytes (checkpoints, heatmaps as little-endian float32) travel as base64, so a message is one JSON
 * string and heatmaps arrive bit-identical.
 */

export const MESSAGE_VERSION = 1;
/** Largest result message accepted (a checkpoint of a large model fits; a runaway one does not). */
export const MAX_RESULT_MESSAGE_BYTES = 256 * 1024 * 1024;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 as 64 lower-case hex digits');
const runId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const epoch = z.number().int().min(0).max(10_000_000);
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
/** job ids: `<coordinator>-r<run>-<stamp>`; no ':' (BullMQ key separator) */
export const jobIdSchema = z.string().regex(/^[a-z0-9]{6,40}-r\d{1,16}-[a-z0-9]{1,16}$/, 'not a job id of this queue');

export const runJobSchema = z
  .object({
    v: z.literal(MESSAGE_VERSION),
    runId,
    /** the coordinator's id: its results stream is named after it */
    coordinator: z.string().regex(/^[a-z0-9]{6,40}$/),
    config: runConfigSchema,
    dataset: z
      .object({
        /** the dataset as the run names it (catalog name, spec, or the coordinator's path) */
        ref: z.string().min(1).max(4096),
        /** canonical arrays' SHA-256 as the coordinator sees them; null when it could not load them */
        sha256: sha256.nullable(),
        /** the canonical bytes are in Redis under this hash (local files); false: resolve ref on the worker */
        transported: z.boolean(),
      })
      .strict()
      .refine((d) => !d.transported || d.sha256 !== null, { message: 'a transported dataset needs its sha256' }),
  })
  .strict();

export type RunJob = z.infer<typeof runJobSchema>;

const metric = z.number().nullable();
const studentEpochRow = z
  .object({
    student: z.number().int().min(0).max(63),
    taskLoss: metric,
    distillLoss: metric,
    trainMetric: metric,
    valMetric: metric,
    testMetric: metric,
    epochMs: z.number().min(0),
    elapsedMs: z.number().min(0),
  })
  .strict();

const matrix = z
  .object({ student: z.number().int().min(0), peer: z.number().int().min(0), rows: z.number().int().min(1).max(10_000), cols: z.number().int().min(1).max(10_000), data: base64 })
  .strict();

/** a DistillationSignalRow without its epoch (the body carries it); the store checks the rest */
const signalRow = z
  .object({
    student: z.number().int().min(0).max(63),
    peer: z.number().int().min(0).max(63),
    studentLayer: z.number().int().min(0).max(1000),
    peerLayer: z.number().int().min(0).max(1000),
    tau: metric,
    distanceOverTauQ1: metric,
    distanceOverTauMedian: metric,
    distanceOverTauQ3: metric,
    meanKl: metric,
    contrast: metric,
    studentContrast: metric,
    state: z.enum(SIGNAL_STATES),
  })
  .strict();

const convergenceUpdate = z
  .object({
    epochsTo95: z.number().int().min(0).nullable().optional(),
    secondsTo95: metric.optional(),
    epochsTo99: z.number().int().min(0).nullable().optional(),
    secondsTo99: metric.optional(),
  })
  .strict();

export const resultBodySchema = z.discriminatedUnion('kind', [
  /** a worker took the job: records after startEpoch are dropped, the run is running under this worker */
  z.object({ kind: z.literal('started'), startEpoch: epoch, datasetSha256: sha256 }).strict(),
  /** the worker refused the job before training (data missing or hashing differently): the run fails */
  z.object({ kind: z.literal('refused'), error: z.string().min(1).max(20_000) }).strict(),
  /** the worker found the run's cancellation asked for before it started training: the run is cancelled */
  z.object({ kind: z.literal('withdrawn') }).strict(),
  z
    .object({
      kind: z.literal('info'),
      backend: z.string().max(200).nullable().optional(),
      backendReport: z.unknown().optional(),
      versions: z.unknown().optional(),
      plannedEpochs: z.number().int().min(0).nullable().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('epoch'), epoch: epoch.min(1), rows: z.array(studentEpochRow).min(1).max(64) }).strict(),
  z.object({ kind: z.literal('alignment'), epoch, matrices: z.array(matrix).min(1).max(64 * 63) }).strict(),
  z.object({ kind: z.literal('signal'), epoch, rows: z.array(signalRow).min(1).max(64 * 63 * 16) }).strict(),
  z.object({ kind: z.literal('checkpoint'), epoch, data: base64 }).strict(),
  z
    .object({ kind: z.literal('event'), level: z.enum(['debug', 'info', 'warn', 'error']), event: z.string().min(1).max(100), message: z.string().max(20_000), data: z.unknown().optional() })
    .strict(),
  /** a student's convergence figures, reported when the run ends (the store decides the best itself) */
  z.object({ kind: z.literal('convergence'), student: z.number().int().min(0).max(63), figures: convergenceUpdate }).strict(),
  z.object({ kind: z.literal('status'), status: z.enum(['completed', 'cancelled', 'failed']), error: z.string().max(20_000).nullable() }).strict(),
]);

export const workerIdentitySchema = z
  .object({
    /** the worker's --name */
    worker: z.string().min(1).max(200),
    host: z.string().min(1).max(500),
    pid: z.number().int().min(1),
    start: z.string().max(500).nullable(),
  })
  .strict();

export const resultMessageSchema = z
  .object({
    v: z.literal(MESSAGE_VERSION),
    job: jobIdSchema,
    run: runId,
    /** one worker's hold on the job; results of an older lease are refused */
    lease: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    /** position in the lease's messages, from 1: a repeated seq is a duplicate */
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    by: workerIdentitySchema,
    body: resultBodySchema,
  })
  .strict();

export type ResultMessage = z.infer<typeof resultMessageSchema>;
export type ResultBody = z.infer<typeof resultBodySchema>;
export type WorkerIdentity = z.infer<typeof workerIdentitySchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`)
    .join('; ');
}

/** A job's data as BullMQ hands it over; the run config is checked by the same schema as everywhere. */
export function parseRunJob(data: unknown): Parsed<RunJob & { config: RunConfig }> {
  const parsed = runJobSchema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  // Problems inside the run config read as they do everywhere else a config is refused.
  const inConfig = (i: z.core.$ZodIssue) => i.path[0] === 'config' && i.path.length > 1;
  const configIssues = parsed.error.issues.filter(inConfig).map((i) => ({ ...i, path: i.path.slice(1) }));
  const others = parsed.error.issues.filter((i) => !inConfig(i));
  const parts = [
    ...(others.length > 0 ? [issuesText(new z.ZodError(others))] : []),
    ...(configIssues.length > 0 ? [`invalid run config: ${describeConfigIssues(new z.ZodError(configIssues))}`] : []),
  ];
  const text = parts.join('; ');
  return { ok: false, error: `malformed job: ${text}` };
}

/** One stream entry's text (the `m` field) into a result message. */
export function parseResultMessage(text: unknown): Parsed<ResultMessage> {
  if (typeof text !== 'string') return { ok: false, error: 'malformed result: the entry has no message text' };
  if (text.length > MAX_RESULT_MESSAGE_BYTES) return { ok: false, error: `malformed result: ${text.length} bytes, over the ${MAX_RESULT_MESSAGE_BYTES}-byte limit` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `malformed result: not JSON (${(error as Error).message.slice(0, 200)})` };
  }
  const parsed = resultMessageSchema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: `malformed result: ${issuesText(parsed.error)}` };
}

export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function base64ToBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function floatsToBase64(values: Float32Array): string {
  return bytesToBase64(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Little-endian float32 back into a Float32Array; null when the byte count is not a multiple of 4. */
export function base64ToFloats(text: string): Float32Array | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % 4 !== 0) return null;
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
