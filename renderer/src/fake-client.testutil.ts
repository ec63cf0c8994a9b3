import { mount } from '@vue/test-utils';
import { vi } from 'vitest';
import type { Component } from 'vue';
import { createMemoryHistory } from 'vue-router';
import type { ApiEvent, CallName } from '../../contract/api';
import { ApiError } from './api/api-error';
import type { WorkbenchClient } from './api/client';
import { API_KEY } from './composables/api-context';
import { createAppRouter } from './router';

type Handler = (input: unknown) => unknown;

/** An in-memory ApiClient: answers from `handlers`, records calls, and lets a test push events. */
export function fakeClient(handlers: Partial<Record<CallName, Handler>>) {
  const listeners = new Set<(event: ApiEvent) => void>();
  const call = vi.fn(async (name: CallName, input: unknown) => {
    const handler = handlers[name];
    if (!handler) throw new ApiError(`${name}: not handled by the fake`, 500, name);
    return handler(input);
  });
  const client = {
    call,
    subscribe(listener: (event: ApiEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connection: { state: 'open' as const, onChange: () => () => undefined },
  } as unknown as WorkbenchClient;
  return { client, call, emit: (event: ApiEvent) => listeners.forEach((l) => l(event)) };
}

/**
 * Mounts a view with the fake client and the app's routes (in memory: the address bar is untouched).
 * Charts are stubbed: happy-dom has no canvas to draw on; what they show is tested on their options.
 */
export function mountView(view: Component, options: { handlers: Partial<Record<CallName, Handler>>; props?: Record<string, unknown> }) {
  const fake = fakeClient(options.handlers);
  const router = createAppRouter(createMemoryHistory());
  const wrapper = mount(view, { props: options.props, global: { plugins: [router], provide: { [API_KEY as symbol]: fake.client }, stubs: { EChart: true } } });
  /** where the view has navigated to, as the address shows it */
  const address = () => router.currentRoute.value.fullPath;
  return { wrapper, fake, router, address };
}
