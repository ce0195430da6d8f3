// Shared vitest settings: workspace packages resolve to their TypeScript sources through the
// `@mqttkit/source` export condition (STYLE HS-8), so tests never need a build first.
import { defaultClientConditions, defaultServerConditions } from 'vite';

const sourceCondition = '@mqttkit/source';

/** @returns {import('vitest/config').UserConfig} */
export function packageConfig(overrides = {}) {
  const test = overrides.test ?? {};
  return {
    resolve: { conditions: [sourceCondition, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      benchmark: { include: ['bench/**/*.bench.ts'] },
      testTimeout: 20_000,
      // The JSON report feeds tooling/scripts/test-summary.ts, which prints one closing line for the repo.
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest-report.json' },
      ...test,
    },
  };
}
