// Shared tsup settings (STYLE HS-7): ESM only, declarations, source maps, Node 20.
/** @returns {import('tsup').Options} */
export function packageBuild(entry = { index: 'src/index.ts' }) {
  return {
    entry,
    format: ['esm'],
    dts: { compilerOptions: { composite: false } },
    sourcemap: true,
    platform: 'node',
    target: 'node20',
    clean: true,
    tsconfig: 'tsconfig.build.json',
    external: ['vitest', 'fast-check'],
  };
}
