import { onMounted, onUnmounted } from 'vue';

export interface Shortcut {
  /** "n", "/", "?", or a two-key sequence "g r" */
  keys: string;
  description: string;
  run: () => void;
}

const SEQUENCE_TIMEOUT_MS = 1000;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/**
 * Matches key presses against single keys and "g x" sequences; ignored while typing in a field
 * (Escape still blurs it) and when a modifier other than Shift is held.
 */
function createShortcutHandler(shortcuts: () => readonly Shortcut[], now: () => number = Date.now) {
  let pending: { key: string; at: number } | null = null;
  return (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && isTyping(event.target)) {
      (event.target as HTMLElement).blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const key = event.key;
    const list = shortcuts();
    if (pending && now() - pending.at < SEQUENCE_TIMEOUT_MS) {
      const sequence = `${pending.key} ${key}`;
      pending = null;
      const match = list.find((s) => s.keys === sequence);
      if (match) {
        event.preventDefault();
        match.run();
        return;
      }
    }
    pending = null;
    if (list.some((s) => s.keys.startsWith(`${key} `))) {
      pending = { key, at: now() };
      return;
    }
    const match = list.find((s) => s.keys === key);
    if (match) {
      event.preventDefault();
      match.run();
    }
  };
}

export function useShortcuts(shortcuts: () => readonly Shortcut[]): void {
  const handler = createShortcutHandler(shortcuts);
  onMounted(() => window.addEventListener('keydown', handler));
  onUnmounted(() => window.removeEventListener('keydown', handler));
}
