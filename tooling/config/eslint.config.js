// One lint configuration for every package (STYLE HS-10). Each package runs
// `eslint --config ../../tooling/config/eslint.config.js .` from its own folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/coverage/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.config.ts'] },
        tsconfigRootDir: process.cwd(),
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-params': ['error', 3],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@mqttkit/*/src', '@mqttkit/*/src/**', '@mqttkit/*/dist', '@mqttkit/*/dist/**'],
              message: 'Import a package through its entry point (@mqttkit/x or @mqttkit/x/testing).',
            },
            {
              regex: '^@mqttkit/[^/]+/(?!testing$|package\\.json$).+',
              message: 'Only the package entry point and ./testing are public.',
            },
            {
              regex: '^(\\.\\./)+(packages|apps)/',
              message: 'Reach another package through its name, never a relative path.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts', '**/bench/**/*.ts', '**/testing/**/*.ts'],
    rules: {
      'max-params': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
