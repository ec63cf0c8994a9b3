import { vi } from 'vitest';
import type { ApiEvent, CallName } from '../../contract/api';
import { ApiError } from './api/api-error';
import type { WorkbenchClient } from './api/client';

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
