/**
 * SharedArrayBuffers kept for reuse, by byte length, with a bound. V8 frees dead SharedArrayBuffers
 * lazily, so the backends recycle them; but a free list without a bound grows without one when the
 * sizes keep changing (training batches re-drawn every pass, config redrawBatches, gave every pass
 * new node and edge counts: the paper-ppi preset reached 23 GB by its sixth epoch and was killed).
 * Once the buffers held exceed the bound, the sizes asked for least recently are dropped first, so
 * the sizes a training step asks for again and again stay.
 */
export class FreeList {
  /** byte length → buffers; the Map's order is the order of last use, oldest first */
  private readonly bySize = new Map<number, SharedArrayBuffer[]>();
  private held = 0;

  /** @param bound how many bytes may wait here, asked each time (it may follow a peak that grows) */
  constructor(private readonly bound: () => number) {}

  /** A buffer of exactly `byteLength` bytes from the list, or null. */
  take(byteLength: number): SharedArrayBuffer | null {
    const list = this.bySize.get(byteLength);
    const buffer = list?.pop();
    if (!list || !buffer) return null;
    this.held -= byteLength;
    this.touch(byteLength, list);
    return buffer;
  }

  /** Keeps `buffer` for reuse (once), then drops the least recently used sizes beyond the bound. */
  give(buffer: SharedArrayBuffer): void {
    const list = this.bySize.get(buffer.byteLength) ?? [];
    if (list.includes(buffer)) return;
    list.push(buffer);
    this.held += buffer.byteLength;
    this.touch(buffer.byteLength, list);
    this.trim();
  }

  /** Bytes waiting here now. */
  get bytes(): number {
    return this.held;
  }

  clear(): void {
    this.bySize.clear();
    this.held = 0;
  }

  private touch(byteLength: number, list: SharedArrayBuffer[]): void {
    this.bySize.delete(byteLength);
    this.bySize.set(byteLength, list);
  }

  private trim(): void {
    const bound = this.bound();
    for (const [byteLength, list] of this.bySize) {
      if (this.held <= bound) return;
      while (list.length > 0 && this.held > bound) {
        list.pop();
        this.held -= byteLength;
      }
      if (list.length === 0) this.bySize.delete(byteLength);
    }
  }
}
