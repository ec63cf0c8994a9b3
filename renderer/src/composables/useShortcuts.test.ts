// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { createShortcutHandler, type Shortcut } from './useShortcuts';

function press(handler: (e: KeyboardEvent) => void, key: string, target: EventTarget = document.body) {
  const event = new KeyboardEvent('keydown', { key, cancelable: true });
  Object.defineProperty(event, 'target', { value: target });
  handler(event);
  return event;
}

describe('keyboard shortcuts', () => {
  it('runs single keys and two-key sequences, within the sequence timeout', () => {
    let now = 0;
    const newRun = vi.fn();
    const goRuns = vi.fn();
    const shortcuts: Shortcut[] = [
      { keys: 'n', description: '', run: newRun },
      { keys: 'g r', description: '', run: goRuns },
    ];
    const handler = createShortcutHandler(() => shortcuts, () => now);
    expect(press(handler, 'n').defaultPrevented).toBe(true);
    press(handler, 'g');
    press(handler, 'r');
    expect([newRun.mock.calls.length, goRuns.mock.calls.length]).toEqual([1, 1]);
    press(handler, 'g');
    now = 5000;
    press(handler, 'r');
    expect(goRuns).toHaveBeenCalledTimes(1);
  });

  it('stays out of the way while typing in a field', () => {
    const run = vi.fn();
    const handler = createShortcutHandler(() => [{ keys: 'n', description: '', run }]);
    press(handler, 'n', document.createElement('input'));
    expect(run).not.toHaveBeenCalled();
  });
});
