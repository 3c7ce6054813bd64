// typescript-eslint with type information over the sources, the tests and the scripts' config.
// The layering rules (adapters never touch the file system, verify never imports report, no
// module-level scan state) are checked by test/architecture.test.ts, which sees the whole graph.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'fixtures/', 'corpus/', 'coverage/', 'scripts/', 'bin/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Terminal and log safety is this project's business: its escapers and their tests match control characters on purpose.
      'no-control-regex': 'off',
      // `async` marks an API that returns a promise, whether or not its body awaits today.
      '@typescript-eslint/require-await': 'off',
      // `const { expr: _expr, ...rest } = x` drops a field: the underscore says it is unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests parse the CLI's JSON and SARIF output and assert on it: the values are `any` by nature
    // and the assertions are the check. Everything else (floating promises, unused code) applies.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
