// Lint: typescript-eslint's recommended rules plus the project's import boundaries
// (engine/ stays pure: no server, adapters, Hono, node:fs or logger).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', 'scratch/**', 'coverage/**', 'data/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The review page's script runs in the browser.
    files: ['server/ui/assets/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['document', 'window', 'sessionStorage', 'fetch', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval', 'console'].map((g) => [g, 'readonly'])),
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['node:fs', 'fs', 'node:fs/promises', 'hono', 'pino', 'better-sqlite3', 'pg'],
        patterns: [{ group: ['**/server/**', '**/adapters/**', '**/cli/**', '**/analysis/**'], message: 'engine/ imports nothing from server/, adapters/, analysis/ or cli/' }],
      }],
    },
  },
  {
    files: ['analysis/**/*.ts', 'server/**/*.ts', 'gate/**/*.ts', 'adapters/**/*.ts', 'cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '/engine/(?!index\\.js$|internal\\.js$)', message: 'outside engine/, import engine/index.js or the declared internal entry engine/internal.js' }],
      }],
    },
  },
);
