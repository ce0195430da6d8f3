import { defineConfig } from 'vitest/config';
import { packageConfig } from '../../tooling/config/vitest.shared.js';

export default defineConfig(packageConfig());
