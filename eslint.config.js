// Lint for safety, not style: no HTML injection (no-unsanitized, no {@html}), and each folder
// imports only what may run where it runs (DESIGN.md).
import boundaries from 'eslint-plugin-boundaries';
import importX from 'eslint-plugin-import-x';
import noUnsanitized from 'eslint-plugin-no-unsanitized';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import { layerPolicies, layerSettings } from './eslint.layers.js';

export default [
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'build/**', 'test-results/**', 'playwright-report/**', 'checks/fixtures/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
  },
  ...svelte.configs['flat/base'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: { 'svelte/no-at-html-tags': 'error' },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.svelte'],
    plugins: { 'no-unsanitized': noUnsanitized },
    rules: {
      'no-unsanitized/method': 'error',
      'no-unsanitized/property': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  // The server awaits its stores (SQLite or PostgreSQL): a promise nobody awaits is a write or
  // an answer that may be lost, or an error nobody hears of.
  {
    files: ['server/**/*.ts'],
    // checks/layers.test.ts lints fixtures as server files that no TypeScript project holds.
    ignores: ['**/*.test.ts', '**/fixture.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  // Layers: one allow-map of which folder may import which (eslint.layers.js).
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.svelte'],
    // The root's tool configs (vite, vitest, playwright, eslint) import only packages and each other.
    ignores: ['*.ts', '*.js'],
    plugins: { boundaries },
    settings: layerSettings,
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', checkAllOrigins: true, checkUnknownLocals: true, checkInternals: true, policies: layerPolicies }],
    },
  },
  // No import cycles anywhere: a cycle means two modules that are really one, or a missing seam.
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [importX.createNodeResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
];
