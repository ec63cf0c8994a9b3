// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { BRIDGE_KEY, type ApiEvent, type PreloadBridge } from '../../../contract/api';
import { ApiError } from './api-error';
import { createClient } from './client';
import { createHttpClient } from './http-transport';
import { takeTokenFromLocation } from './token';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A minimal EventSource stand-in that a test can drive. */
class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(name: string, listener: (e: MessageEvent) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }
  dispatch(name: string, data: unknown) {
    for (const l of this.listeners.get(name) ?? []) l(new MessageEvent(name, { data: JSON.stringify(data) }));
  }
  close() {
    this.readyState = 2;
  }
}

describe('HTTP transport', () => {
  it('posts the input with the bearer token and returns the value', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { runs: [], total: 0 }));
    const client = createHttpClient({ baseUrl: 'http://127.0.0.1:9/', token: 'secret-token', fetch: fetch as unknown as typeof globalThis.fetch, EventSource: FakeEventSource as unknown as typeof EventSource });
    await expect(client.call('runs.list', { limit: 5 })).resolves.toEqual({ runs: [], total: 0 });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:9/api/call/runs.list');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer secret-token');
    expect(JSON.parse(init.body as string)).toEqual({ limit: 5 });
  });

  it("throws an ApiError carrying the server's message and status", async () => {
    const fetch = async () => jsonResponse(404, { error: 'runs.get: run 9 not found', status: 404 });
    const client = createHttpClient({ baseUrl: 'http://x/', token: 't', fetch: fetch as unknown as typeof globalThis.fetch });
    const error = await client.call('runs.get', { id: 9 }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('runs.get: run 9 not found');
    expect(error.status).toBe(404);
  });

  it('reports an unreachable server as status 0', async () => {
    const fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const client = createHttpClient({ baseUrl: 'http://x/', token: 't', fetch: fetch as unknown as typeof globalThis.fetch });
    await expect(client.call('app.info', {})).rejects.toMatchObject({ status: 0, message: expect.stringContaining('cannot reach the server') });
  });

  it('shares one event stream between subscribers, decodes events and reopens after a refusal', async () => {
    vi.useFakeTimers();
    FakeEventSource.instances = [];
    const client = createHttpClient({ baseUrl: 'http://x/', token: 'tok en', EventSource: FakeEventSource as unknown as typeof EventSource, reconnectMs: 100 });
    const a: ApiEvent[] = [];
    const b: ApiEvent[] = [];
    const stopA = client.subscribe((e) => a.push(e));
    client.subscribe((e) => b.push(e));
    expect(FakeEventSource.instances).toHaveLength(1);
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe('http://x/api/events?token=tok%20en');
    source.onopen?.();
    expect(client.connection.state).toBe('open');
    const event: ApiEvent = { type: 'run.status', runId: 1, status: 'running', error: null };
    source.dispatch('message', event);
    stopA();
    source.dispatch('message', { ...event, status: 'completed' });
    expect(a).toEqual([event]);
    expect(b).toHaveLength(2);

    source.readyState = 2;
    source.onerror?.();
    expect(client.connection.state).toBe('reconnecting');
    vi.advanceTimersByTime(150);
    expect(FakeEventSource.instances).toHaveLength(2);
    vi.useRealTimers();
  });
});

describe('access token', () => {
  it('takes the token from the address, stores it for the tab and removes it from the URL', () => {
    window.history.replaceState(null, '', '/?token=abc123&x=1#/runs');
    sessionStorage.clear();
    expect(takeTokenFromLocation(window.location, window.history, sessionStorage)).toBe('abc123');
    expect(window.location.search).toBe('?x=1');
    expect(window.location.hash).toBe('#/runs');
    // the key is part of what a tab keeps across reloads
    expect(sessionStorage.getItem('alignahead.token')).toBe('abc123');
    // a reload without the token in the address still finds it
    expect(takeTokenFromLocation(window.location, window.history, sessionStorage)).toBe('abc123');
  });
});

describe('transport choice', () => {
  it('uses the preload bridge when present and turns its error values into ApiErrors', async () => {
    const bridge: PreloadBridge = {
      call: vi.fn(async (name: string) => (name === 'settings.get' ? { ok: true as const, value: { backend: 'auto', maxConcurrentRuns: 1 } } : { ok: false as const, error: { error: 'runs.get: run 3 not found', status: 404 } })),
      onEvent: vi.fn(() => () => undefined),
    };
    const fakeWindow = { [BRIDGE_KEY]: bridge } as unknown as Window;
    const client = createClient(fakeWindow);
    await expect(client.call('settings.get', {})).resolves.toEqual({ backend: 'auto', maxConcurrentRuns: 1 });
    await expect(client.call('runs.get', { id: 3 })).rejects.toMatchObject({ message: 'runs.get: run 3 not found', status: 404 });
    client.subscribe(() => undefined);
    expect(bridge.onEvent).toHaveBeenCalledTimes(1);
  });

  it('falls back to HTTP relative to the page when there is no bridge', async () => {
    window.history.replaceState(null, '', '/?token=zzz');
    const fetch = vi.spyOn(globalThis, 'fetch').mockResolvedValue(jsonResponse(200, { version: '1' }));
    const client = createClient(window);
    await client.call('app.info', {});
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(`${window.location.origin}/api/call/app.info`);
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer zzz');
    fetch.mockRestore();
  });
});
