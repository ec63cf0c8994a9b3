// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent } from 'vue';
import { useShortcuts, type Shortcut } from './useShortcuts';

/** A component that only listens for the shortcuts, as the app shell does. */
function listen(shortcuts: Shortcut[]) {
  return mount(
    defineComponent({
      setup() {
        useShortcuts(() => shortcuts);
        return () => null;
      },
    }),
  );
}

function press(key: string, target: EventTarget = document.body) {
  const event = new KeyboardEvent('keydown', { key, cancelable: true, bubbles: true });
  target.dispatchEvent(event);
  return event;
}

afterEach(() => vi.useRealTimers());

describe('keyboard shortcuts', () => {
  it('runs single keys and two-key sequences, within the sequence timeout', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const newRun = vi.fn();
    const goRuns = vi.fn();
    const wrapper = listen([
      { keys: 'n', description: '', run: newRun },
      { keys: 'g r', description: '', run: goRuns },
    ]);
    expect(press('n').defaultPrevented).toBe(true);
    press('g');
    press('r');
    expect([newRun.mock.calls.length, goRuns.mock.calls.length]).toEqual([1, 1]);
    press('g');
    vi.setSystemTime(5000);
    press('r');
    expect(goRuns).toHaveBeenCalledTimes(1);
    wrapper.unmount();
    press('n');
    expect(newRun).toHaveBeenCalledTimes(1);
  });

  it('stays out of the way while typing in a field', () => {
    const run = vi.fn();
    const wrapper = listen([{ keys: 'n', description: '', run }]);
    const input = document.body.appendChild(document.createElement('input'));
    press('n', input);
    expect(run).not.toHaveBeenCalled();
    input.remove();
    wrapper.unmount();
  });
});
