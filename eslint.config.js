import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'scratch/',
      'node_modules/',
      'dist/',
      '.data/',
      'coverage/',
      'bench/results/',
      'bot/api/generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/web/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // The reference web client: browser modules, and the tiny static server that serves them.
    files: ['examples/web/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['examples/web/serve.mjs'],
    languageOptions: { globals: globals.node },
    rules: { 'no-console': 'off' },
  },
  {
    files: ['scripts/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
);
