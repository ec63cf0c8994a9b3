// Lint: typescript-eslint's and eslint-plugin-vue's recommended rules plus the layering rules of the
// design: renderer → contract ← electron → core between the top-level folders, and inside core/ the
// order of eslint/layers.js. A wrong-way import fails `npm run lint`, in .ts and .vue files alike
// (vue-eslint-parser hands a component's <script> to the TypeScript parser).
import vue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './eslint/layers.js';

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      // relative paths climbing into a forbidden top-level folder ('../../core/x'); package names
      // that merely end in the same word ('echarts/core') are not layers
      { patterns: forbidden.map((dir) => ({ regex: `^(\\.\\./)+${dir}(/|$)`, message: why })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'test-output/**', 'renderer/dist/**'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  // formatting is not lint's job here; the recommended set's layout rules would only warn
  vue.configs['no-layout-rules'],
  { files: ['**/*.vue'], languageOptions: { parserOptions: { parser: tseslint.parser } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer(['core/**/*.ts'], ['electron', 'renderer'], 'core/ is headless: it must not import the Electron shell or the UI.'),
  layer(['contract/**/*.ts'], ['core', 'electron', 'renderer'], 'contract/ is the shared API description: it imports no implementation.'),
  layer(['renderer/**/*.ts', 'renderer/**/*.vue'], ['core', 'electron'], 'renderer/ reaches the backend only through contract/.'),
  layer(['electron/**/*.ts'], ['renderer'], 'electron/ talks to the UI only through contract/.'),
  // after the rule for all of electron/, which it replaces for these files
  layer(['electron/preload/**/*.ts'], ['core', 'renderer', 'main', 'worker'], 'the sandboxed preload is bundled alone: it sees contract/ only.'),
  { files: ['core/**/*.ts', 'core/**/*.mjs'], plugins: { layers: layersPlugin }, rules: { 'layers/core-order': 'error' } },
);
