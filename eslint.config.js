import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.switchboard/**', 'coverage/**', 'clients/dotnet/bin/**', 'clients/dotnet/obj/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Graph bodies are untyped JSON at the edge; we validate with Ajv instead of casting through unknown everywhere.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read untyped JSON responses and notification bodies.
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Plain-JS Node module hooks (test/helpers/ts-loader.mjs): no TypeScript program to type-check them against.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { URL: 'readonly', process: 'readonly' } },
  },
  {
    // Plain-JS scripts: `npm start`'s launcher (scripts/start.mjs) runs before anything is built; packaging and CI
    // scripts (build-package.mjs, test-package.mjs) run with node.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly' } },
  },
  {
    // Example bots are plain Node ESM, run as `node examples/<bot>.mjs`, the way a bot author would write them;
    // clients/dotnet/run.mjs (npm run test:dotnet) is plain Node ESM too.
    files: ['examples/**/*.mjs', 'clients/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { URL: 'readonly', URLSearchParams: 'readonly', process: 'readonly', console: 'readonly', fetch: 'readonly', Buffer: 'readonly' },
    },
  },
);
