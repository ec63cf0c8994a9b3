import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_REQUEST_BYTES, type ApiErrorBody, type ApiEvent, type CallResult } from '../../contract/api';
import { appVersion } from '../version';
import { hostAllowed, isLoopbackHost, originAllowed, requestToken, setSecurityHeaders, tokenMatches } from './security';
import { serveStatic } from './static-files';

/**
 * Serve mode: the API over HTTP for a browser. `POST /api/call/:name` carries calls (JSON in, JSON
 * out, status from the call's result), `GET /api/events` streams ApiEvents as Server-Sent Events,
 * everything else is the built renderer. Every /api route but /api/health needs the token.
 */

export interface ServerOptions {
  handlers: { dispatch(name: unknown, rawInput: unknown): Promise<CallResult<unknown>> };
  events: { subscribe(listener: (event: ApiEvent) => void): () => void };
  /** address to bind; loopback by default */
  hostname?: string;
  /** 0 picks a free port */
  port?: number;
  token: string;
  /** the built renderer (renderer/dist); null or missing: a page saying how to build it */
  staticDir?: string | null;
  /** SSE comment lines keep proxies and browsers from timing the stream out */
  heartbeatMs?: number;
  log?: (line: string) => void;
}

export interface RunningServer {
  /** http://HOST:PORT */
  origin: string;
  hostname: string;
  port: number;
  /** open event streams (tests check they are cleaned up) */
  eventStreams(): number;
  close(): Promise<void>;
}

/** Bodies beyond the limit are read and dropped up to this much, so the client sees the 413. */
const MAX_DISCARD_BYTES = 16 * MAX_REQUEST_BYTES;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const streams = new Set<ServerResponse>();
  let port = 0;

  if (!options.token || options.token.length < 16) throw new Error('startServer: a token of at least 16 characters is required');

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`alignahead serve: internal error: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, 500, errorBody(500, 'internal error'));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const method = req.method ?? 'GET';
    if (!hostAllowed(req.headers.host, hostname, port)) return sendJson(res, 403, errorBody(403, 'forbidden: unexpected Host header'));
    if (!originAllowed(req.headers.origin, req.headers.host)) return sendJson(res, 403, errorBody(403, 'forbidden: cross-origin requests are not accepted'));

    const path = url.pathname;
    if (path !== '/api' && !path.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, errorBody(405, `method ${method} not allowed`), { Allow: 'GET, HEAD' });
      return serveStatic(res, options.staticDir ?? null, path, method === 'HEAD');
    }

    if (path === '/api/health') {
      if (method !== 'GET') return sendJson(res, 405, errorBody(405, `method ${method} not allowed`), { Allow: 'GET' });
      return sendJson(res, 200, { ok: true, version: appVersion() });
    }
    const isEvents = path === '/api/events';
    if (!tokenMatches(requestToken(req, url.searchParams, isEvents), options.token)) {
      return sendJson(res, 401, errorBody(401, 'unauthorized: missing or wrong token'), { 'WWW-Authenticate': 'Bearer' });
    }
    if (isEvents) {
      if (method !== 'GET') return sendJson(res, 405, errorBody(405, `method ${method} not allowed`), { Allow: 'GET' });
      return openEventStream(req, res);
    }
    const call = /^\/api\/call\/([^/]+)$/.exec(path);
    if (call) {
      if (method !== 'POST') return sendJson(res, 405, errorBody(405, `method ${method} not allowed`), { Allow: 'POST' });
      return handleCall(req, res, call[1]);
    }
    return sendJson(res, 404, errorBody(404, `no API route ${path}`));
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, rawName: string): Promise<void> {
    let name: string;
    try {
      name = decodeURIComponent(rawName);
    } catch {
      return sendJson(res, 400, errorBody(400, 'bad call name encoding'));
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      return sendJson(res, 415, errorBody(415, 'calls take a JSON body (Content-Type: application/json)'));
    }
    let input: unknown;
    try {
      const body = await readBody(req, MAX_REQUEST_BYTES);
      const text = body.toString('utf8');
      input = text.trim() === '' ? undefined : JSON.parse(text);
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 413 && !req.complete) res.setHeader('Connection', 'close');
        return sendJson(res, error.status, errorBody(error.status, error.message));
      }
      return sendJson(res, 400, errorBody(400, `request body is not valid JSON (${(error as Error).message})`));
    }
    const result = await options.handlers.dispatch(name, input);
    if (result.ok) sendJson(res, 200, result.value ?? null);
    else sendJson(res, result.error.status, result.error);
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    streams.add(res);
    const unsubscribe = options.events.subscribe((event) => {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
    let closed = false;
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', cleanup);
    res.on('close', cleanup);
    res.on('error', cleanup);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  if (!isLoopbackHost(hostname)) {
    log(`alignahead serve: WARNING: listening on ${hostname}, reachable from other machines; anyone with the token controls this workbench`);
  }
  const urlHost = hostname.includes(':') ? `[${hostname}]` : hostname;

  return {
    origin: `http://${urlHost}:${port}`,
    hostname,
    port,
    eventStreams: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function errorBody(status: number, error: string): ApiErrorBody {
  return { error, status };
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  for (const [key, header] of Object.entries(headers)) res.setHeader(key, header);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

/** The whole body, or an HttpError 413 once it passes `limit` (the rest is drained, within reason). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      // Declared too large: answer at once without reading it (the connection closes after the reply).
      reject(new HttpError(413, `request body of ${declared} bytes is larger than the limit of ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        if (size > MAX_DISCARD_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new HttpError(413, `request body is larger than the limit of ${limit} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('close', () => {
      if (tooLarge) reject(new HttpError(413, `request body is larger than the limit of ${limit} bytes`));
    });
    req.on('error', reject);
  });
}
