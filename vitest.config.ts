import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests with no I/O, and integration tests that share one FerretDB and
// one redis-server started by test/setup/globalSetup.ts.
export default defineConfig({
  test: {
    // In CI a JSON report is written too, so .ci/run can print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.data/test-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/globalSetup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          // A page or a background job on a busy machine can take seconds, not vitest's default 1 s.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
