// Lint for safety, not style: no HTML injection (no-unsanitized, no {@html}), and each folder
// imports only what may run where it runs (DESIGN.md).
import noUnsanitized from 'eslint-plugin-no-unsanitized';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const NODE_ONLY = ['node:*', 'fs', 'net', 'child_process', 'better-sqlite3', 'pino', 'ws'];

export default [
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'build/**', 'test-results/**', 'playwright-report/**'] },
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
  {
    files: ['main/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'main/core is plain Node: it never imports electron.' }] }] },
  },
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte'],
    ignores: ['renderer/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer knows only window.parley.' }],
          patterns: [
            { group: NODE_ONLY, message: 'The renderer runs in a browser: no Node modules.' },
            {
              group: [
                '**/server/**/*.ts',
                '!**/server/protocol/common/*.ts',
                '**/main/**/*.ts',
                '!**/main/core/api.ts',
                '!**/main/core/apiChannels.ts',
                '!**/main/core/buildApi.ts',
                '!**/main/web/wireMessages.ts',
              ],
              message: 'The renderer may import only the API and the pure wire contract.',
            },
          ],
        },
      ],
    },
  },
];
