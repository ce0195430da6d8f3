import { defineConfig } from 'tsup';
import { packageBuild } from '../../tooling/config/tsup.shared.js';

export default defineConfig(packageBuild({ index: 'src/index.ts' }));
