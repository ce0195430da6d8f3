import { defineConfig } from 'vitest/config';
import { packageConfig } from '../../tooling/config/vitest.shared.js';

// Each test file starts its own brokers and keeps no state in shared modules, so the files can
// share workers without isolation: that saves loading the whole workspace once per file.
export default defineConfig(packageConfig({ test: { isolate: false } }));
