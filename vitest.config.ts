import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files running at once. Vitest's default is one less than the cores: one file at a time on the 2-core machines
 * CI uses. Most files spend their time waiting (servers on ephemeral ports, child processes, deliveries), so three at
 * a time there took test/conformance/raw from 194 s to 71 s on the same loaded machine. SWITCHBOARD_TEST_WORKERS
 * overrides it (1 to debug an interaction between files).
 */
const workers = Number(process.env.SWITCHBOARD_TEST_WORKERS) || Math.max(4, availableParallelism());

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests (test/ui/) load the built dashboard: rebuilt here only when ui/ changed since the last build.
    globalSetup: ['test/helpers/tls-global-setup.ts', 'test/helpers/ui-build.ts'],
    // Conformance tests start real servers on ephemeral ports; forks keep native modules isolated.
    pool: 'forks',
    maxWorkers: workers,
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    // Guards against a hang, not timings: test files run four at a time on 2 cores, beside tsc and ESLint.
    testTimeout: 60_000,
    // The store's nested-transaction check (src/store/gate.ts) costs every promise a hook: on in tests only.
    // Shared values (src/domain/shared-values.ts) are frozen in tests: code that changes one fails here.
    env: { SWITCHBOARD_CHECK_REENTRY: '1', SWITCHBOARD_CHECK_SHARED: '1' },
    hookTimeout: 120_000,
  },
});
