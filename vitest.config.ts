import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // renderer tests mount single-file components (.vue)
  plugins: [vue()],
  test: {
    include: ['core/**/*.test.ts', 'contract/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: numerical tests are CPU-bound, more workers only thrash.
    maxWorkers: 2,
    pool: 'forks',
  },
});
