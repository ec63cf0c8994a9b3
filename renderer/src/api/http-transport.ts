import type { ApiClient, ApiErrorBody, ApiEvent, CallInput, CallName, CallOutput } from '../../../contract/api';
import { ApiError } from './api-error';
import type { ConnectionState, ConnectionWatch } from './connection';
import { Listeners } from './listeners';

/** Event names the server may use as SSE `event:` fields; unnamed events arrive as 'message'. */
const EVENT_NAMES = ['message', 'run.status', 'run.epoch', 'run.alignment', 'run.signal', 'run.log', 'dataset.progress', 'backend'];

export interface HttpClientOptions {
  /** origin + path prefix the API lives under, e.g. "http://127.0.0.1:5173/" */
  baseUrl: string;
  token: string | null;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
  /** first reconnect delay in ms; doubles up to 10 s */
  reconnectMs?: number;
}

function isApiErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).error === 'string';
}

/**
 * Serve mode's transport: POST /api/call/NAME with a bearer token, and one EventSource on
 * /api/events shared by every subscriber, reopened with backoff when the server goes away.
 */
export function createHttpClient(options: HttpClientOptions): ApiClient & { connection: ConnectionWatch } {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const EventSourceImpl = options.EventSource ?? globalThis.EventSource;
  const listeners = new Listeners();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = options.reconnectMs ?? 500;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(state);
  };

  const url = (path: string) => new URL(path, options.baseUrl).toString();

  function open(): void {
    const query = options.token ? `?token=${encodeURIComponent(options.token)}` : '';
    const es = new EventSourceImpl(url(`api/events${query}`));
    source = es;
    es.onopen = () => {
      retryDelay = options.reconnectMs ?? 500;
      setState('open');
    };
    const onMessage = (message: MessageEvent) => {
      try {
        listeners.emit(JSON.parse(message.data) as ApiEvent);
      } catch {
        // a keep-alive or malformed line: nothing for the UI
      }
    };
    for (const name of EVENT_NAMES) es.addEventListener(name, onMessage as EventListener);
    es.onerror = () => {
      setState('reconnecting');
      // EventSource retries by itself unless the server refused it (CLOSED); then we reopen.
      if (es.readyState === 2 && source === es) {
        es.close();
        source = null;
        retryTimer = setTimeout(() => {
          retryTimer = null;
          if (listeners.size > 0) open();
        }, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 10_000);
      }
    };
  }

  function close(): void {
    source?.close();
    source = null;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    setState('connecting');
  }

  return {
    async call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
      let response: Response;
      try {
        response = await doFetch(url(`api/call/${name}`), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) },
          body: JSON.stringify(input ?? {}),
        });
      } catch (error) {
        throw new ApiError(`${name}: cannot reach the server (${error instanceof Error ? error.message : String(error)})`, 0, name);
      }
      let body: unknown = null;
      const text = await response.text();
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      if (!response.ok) {
        const message = isApiErrorBody(body) ? body.error : `${name}: HTTP ${response.status} ${text.slice(0, 200)}`.trim();
        throw new ApiError(message, response.status, name);
      }
      return body as CallOutput<K>;
    },
    subscribe(listener: (event: ApiEvent) => void): () => void {
      const remove = listeners.add(listener);
      if (!source && !retryTimer) open();
      return () => {
        remove();
        if (listeners.size === 0) close();
      };
    },
    connection: {
      get state() {
        return state;
      },
      onChange(listener) {
        stateListeners.add(listener);
        return () => stateListeners.delete(listener);
      },
    },
  };
}
