import type { ApiEvent } from '../../../contract/api';

/** Fan-out of backend events to any number of listeners; one listener's exception never starves the rest. */
export class Listeners {
  private readonly set = new Set<(event: ApiEvent) => void>();

  add(listener: (event: ApiEvent) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  get size(): number {
    return this.set.size;
  }

  emit(event: ApiEvent): void {
    for (const listener of [...this.set]) {
      try {
        listener(event);
      } catch (error) {
        console.error('event listener failed', error);
      }
    }
  }
}
