import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests (test/ui/) load the built dashboard: rebuilt here only when ui/ changed since the last build.
    globalSetup: ['test/helpers/tls-global-setup.ts', 'test/helpers/ui-build.ts'],
    // Conformance tests start real servers on ephemeral ports; forks keep native modules isolated.
    pool: 'forks',
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    testTimeout: 30_000,
    // The store's nested-transaction check (src/store/gate.ts) costs every promise a hook: on in tests only.
    env: { SWITCHBOARD_CHECK_REENTRY: '1' },
    hookTimeout: 60_000,
  },
});
