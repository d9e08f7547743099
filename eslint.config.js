import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layer boundaries (ARCHITECTURE.md, "Layers"): files under `folder` may not import a specifier matching `regex`
 * (type-only imports and re-exports included). test/layers/boundaries.test.ts shows each rule refuses a violation.
 */
const boundary = (folder, regex, message) => ({
  files: [`${folder}/**/*.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
});

const LAYERS = [
  // Pure rules: only the domain's own modules (no `..`) and Graph's type definitions; no node built-ins, no packages.
  boundary(
    'src/domain',
    '^(?!\\./(?!.*\\.\\.)|@microsoft/microsoft-graph-types$)',
    'src/domain imports only src/domain and @microsoft/microsoft-graph-types: the world comes in as a WorldView, people as Reactions.',
  ),
  boundary('src/api', '^\\.\\.?/(.*/)?store/', 'src/api never imports src/store: routes call src/service.'),
  boundary(
    'src/sim',
    '^\\.\\.?/(.*/)?api/',
    'src/sim never imports src/api: what both need (errors, body validation, host check) is in src/http.',
  ),
  boundary(
    'src/http',
    '^\\.\\.?/(.*/)?(api|sim|service|store)/',
    'src/http is shared by src/api and src/sim: it imports neither, nor src/service or src/store.',
  ),
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.switchboard/**',
      'coverage/**',
      'clients/dotnet/bin/**',
      'clients/dotnet/obj/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
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
  ...LAYERS,
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
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { URL: 'readonly', process: 'readonly' },
    },
  },
  {
    // Plain-JS scripts: `npm start`'s launcher (scripts/start.mjs) runs before anything is built; packaging and CI
    // scripts (build-package.mjs, test-package.mjs) run with node.
    files: ['scripts/**/*.mjs'],
    languageOptions: {
      globals: {
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        URLSearchParams: 'readonly',
      },
    },
  },
  {
    // Example bots are plain Node ESM, run as `node examples/<bot>.mjs`, the way a bot author would write them;
    // clients/dotnet/run.mjs (npm run test:dotnet) is plain Node ESM too.
    files: ['examples/**/*.mjs', 'clients/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        URL: 'readonly',
        URLSearchParams: 'readonly',
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
);
