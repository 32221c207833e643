// Flat config: typescript-eslint's recommended rules over every TypeScript file in the workspace.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'test/search-server/target/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', fetch: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', queueMicrotask: 'readonly', TextEncoder: 'readonly',
        TextDecoder: 'readonly', structuredClone: 'readonly', performance: 'readonly', __dirname: 'readonly', require: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Only code files: a bare folder glob would make ESLint try to parse Markdown and JSON too.
    files: ['{bench,examples,scripts,test}/**/*.{ts,js,mjs,cjs}'],
    rules: { 'no-console': 'off' },
  },
)
