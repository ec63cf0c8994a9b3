import { computed, ref } from 'vue';
import { DARK_PALETTE, LIGHT_PALETTE } from '../charts/palette';

export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'alignahead.theme';

function initialTheme(): Theme {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (stored === 'light' || stored === 'dark') return stored;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// one theme for the whole window, shared by every component that asks
const theme = ref<Theme>(initialTheme());

function apply(value: Theme): void {
  if (typeof document !== 'undefined') document.documentElement.dataset.theme = value;
}
apply(theme.value);

export function useTheme() {
  return {
    theme,
    palette: computed(() => (theme.value === 'dark' ? DARK_PALETTE : LIGHT_PALETTE)),
    toggle(): void {
      theme.value = theme.value === 'dark' ? 'light' : 'dark';
      globalThis.localStorage?.setItem(STORAGE_KEY, theme.value);
      apply(theme.value);
    },
  };
}
