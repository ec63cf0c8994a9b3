/**
 * The child side of a node IPC channel to the process that forked it: messages go out in order, and
 * `flush` resolves once every one has been handed to the parent (a child that exits right after
 * posting would lose the last ones otherwise). A parent that goes away ends the child: its work is
 * taken up again elsewhere (a resumable run, a queue job another worker takes over).
 */
export interface ParentChannel<T> {
  post(message: T): void;
  flush(): Promise<void>;
}

export function parentChannel<T>(who: string): ParentChannel<T> {
  if (!process.send) {
    process.stderr.write(`${who}: no channel to a parent process (it is started by alignahead)\n`);
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(1));
  let pending = 0;
  let drained: (() => void) | null = null;
  return {
    post(message) {
      if (!process.connected) return;
      pending++;
      process.send?.(message, undefined, {}, () => {
        pending--;
        if (pending === 0) drained?.();
      });
    },
    flush: () => (pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve))),
  };
}
