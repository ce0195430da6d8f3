import { defineConfig } from 'tsup';
import { packageBuild } from '../../tooling/config/tsup.shared.js';

// The banner makes dist/cli.js runnable as the `mqttkit` bin; Node ignores it in the other files.
export default defineConfig({
  ...packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }),
  banner: { js: '#!/usr/bin/env node' },
});
