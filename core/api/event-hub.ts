import type { ApiEvent } from '../../contract/api';

/** Delivers every published ApiEvent to every subscriber (open windows, SSE connections). */
export interface EventHub {
  publish(event: ApiEvent): void;
  /** returns the unsubscribe function */
  subscribe(listener: (event: ApiEvent) => void): () => void;
  readonly subscriberCount: number;
}

export function createEventHub(log: (line: string) => void = (line) => process.stderr.write(line + '\n')): EventHub {
  const listeners = new Set<(event: ApiEvent) => void>();
  return {
    publish(event) {
      // A copy: a listener may unsubscribe (a closed connection) while we deliver.
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          // One broken subscriber must not stop the others from hearing about the event.
          log(`alignahead events: a subscriber failed: ${(error as Error)?.stack ?? String(error)}`);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get subscriberCount() {
      return listeners.size;
    },
  };
}
