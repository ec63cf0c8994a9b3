import { readFileSync } from 'node:fs';
import type { Redis, RedisOptions } from 'ioredis';
import { UserError } from '../errors';

/**
 * The queue's address: `redis://[user:pass@]HOST:PORT[/DB]`, or `rediss://` for TLS. The password
 * is a secret: it goes to the Redis client and nowhere else. Everything that shows the address
 * (logs, errors, the store, the API) uses `redacted`, and `redactSecret` scrubs it from any text.
 *
 * A password can also come from $ALIGNAHEAD_REDIS_PASSWORD (kept out of shell history and process
 * lists); a TLS server with a private CA is trusted through $ALIGNAHEAD_REDIS_CA (a PEM file).
 */

export const REDIS_PASSWORD_ENV_VAR = 'ALIGNAHEAD_REDIS_PASSWORD';
export const REDIS_CA_ENV_VAR = 'ALIGNAHEAD_REDIS_CA';

export interface QueueAddress {
  tls: boolean;
  host: string;
  port: number;
  db: number;
  username: string | null;
  password: string | null;
  /** the URL with the password replaced by *** (safe to print, store and show) */
  redacted: string;
}

export function parseQueueUrl(raw: string, env: NodeJS.ProcessEnv = process.env): QueueAddress {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`--queue: '${redactLoosely(text)}' is not a URL (expected redis://[user:pass@]HOST:PORT[/DB] or rediss://...)`);
  }
  const tls = url.protocol === 'rediss:';
  if (!tls && url.protocol !== 'redis:') throw new UserError(`--queue: unsupported scheme '${url.protocol}' (expected redis:// or rediss://)`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UserError('--queue: the URL names no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw new UserError(`--queue: database '${dbText}' is not a number from 0 to 15`);
  const db = dbText === '' ? 0 : Number(dbText);
  if (db > 15) throw new UserError(`--queue: database ${db} is not a number from 0 to 15`);
  if (url.search || url.hash) throw new UserError('--queue: the URL takes no query or fragment');
  const username = url.username ? decodeURIComponent(url.username) : null;
  const password = url.password ? decodeURIComponent(url.password) : (env[REDIS_PASSWORD_ENV_VAR] ?? null) || null;
  const auth = username || url.password ? `${url.username}${url.password ? ':***' : ''}@` : '';
  const redacted = `${url.protocol}//${auth}${url.host}${db !== 0 ? `/${db}` : ''}`;
  return { tls, host, port, db, username, password, redacted };
}

/** ioredis options for an address; BullMQ needs `maxRetriesPerRequest: null` on its workers' connections. */
export function redisOptions(address: QueueAddress, env: NodeJS.ProcessEnv = process.env): RedisOptions {
  const caPath = env[REDIS_CA_ENV_VAR];
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username ? { username: address.username } : {}),
    ...(address.password ? { password: address.password } : {}),
    ...(address.tls ? { tls: caPath ? { ca: readFileSync(caPath) } : {} } : {}),
    maxRetriesPerRequest: null,
    // reconnect forever, backing off to 2 s: a restarted Redis is found again
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}

/** `text` with every occurrence of the address's password (raw and URL-encoded) replaced by ***. */
export function redactSecret(text: string, address: QueueAddress | null): string {
  let out = redactLoosely(text);
  if (address?.password) {
    for (const form of new Set([address.password, encodeURIComponent(address.password)])) out = out.split(form).join('***');
  }
  return out;
}

/** Passwords in anything that looks like a redis URL, for text that may hold one we did not parse. */
function redactLoosely(text: string): string {
  return text.replace(/(rediss?:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}

/** `report`, but the same message at most once per `ms` (a Redis that is down fails every retry). */
export function onceEvery(ms: number, report: (message: string) => void): (message: string) => void {
  const last = new Map<string, number>();
  return (message) => {
    const now = Date.now();
    if ((last.get(message) ?? -Infinity) + ms > now) return;
    last.set(message, now);
    report(message);
  };
}

/**
 * Resolves once `client` answers, or fails with a UserError naming the address (redacted) and the
 * last connection error (refused, wrong password, TLS) after `timeoutMs`: a queue that cannot be
 * reached is one clear line, not a silent wait.
 */
export async function reachable(client: Redis, address: QueueAddress, timeoutMs = 10_000): Promise<void> {
  let lastError = '';
  const onError = (error: Error) => (lastError = error.message);
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs))),
    ]);
  } catch (error) {
    const why = lastError || (error as Error).message;
    throw new UserError(`cannot reach the queue at ${address.redacted}: ${redactSecret(why === 'timeout' ? `no answer in ${timeoutMs / 1000} s` : why, address)}`);
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}
