// Fails when a package depends on something ARCHITECTURE.md does not allow (STYLE HS-2).
// Reads every package.json in the workspace; run as part of `pnpm lint`.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Rule {
  /** Workspace packages this one may depend on. `*` allows every workspace package. */
  readonly workspace: readonly string[] | '*';
  /** Whether dependencies from the npm registry are allowed at run time. */
  readonly external: boolean | readonly string[];
  /** Further workspace packages allowed as devDependencies only (tests), never at run time. */
  readonly development?: readonly string[];
}

const allowed: Record<string, Rule> = {
  '@mqttkit/codec': { workspace: [], external: false },
  '@mqttkit/topics': { workspace: ['@mqttkit/codec'], external: false },
  '@mqttkit/session': { workspace: ['@mqttkit/codec', '@mqttkit/topics'], external: false },
  '@mqttkit/contracts': { workspace: ['@mqttkit/codec', '@mqttkit/topics'], external: false },
  '@mqttkit/auth': { workspace: ['@mqttkit/contracts', '@mqttkit/topics'], external: true },
  '@mqttkit/transport-tcp': { workspace: ['@mqttkit/contracts'], external: true },
  '@mqttkit/transport-ws': { workspace: ['@mqttkit/contracts'], external: true },
  '@mqttkit/broker': {
    workspace: [
      '@mqttkit/codec',
      '@mqttkit/topics',
      '@mqttkit/session',
      '@mqttkit/contracts',
      '@mqttkit/store-memory',
    ],
    external: true,
    development: ['@mqttkit/transport-tcp', '@mqttkit/transport-ws', '@mqttkit/auth'],
  },
  mqttkit: { workspace: '*', external: true },
};
const storeRule: Rule = {
  workspace: ['@mqttkit/contracts', '@mqttkit/topics'],
  external: true,
  // Crash and restart tests run a real broker over TCP with the store under test.
  development: ['@mqttkit/broker', '@mqttkit/transport-tcp'],
};

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

// A `./testing` entry point registers tests, so it may name the test tools as optional peers.
const testingPeers = new Set(['vitest', 'fast-check']);

const root = join(import.meta.dirname, '..', '..');
const manifests: { path: string; manifest: Manifest }[] = [];
for (const group of ['packages', 'apps', 'tooling']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // The template is a skeleton with placeholder names, not a workspace package.
    if (group === 'tooling' && entry.name === 'package-template') continue;
    const file = join(dir, entry.name, 'package.json');
    if (entry.isDirectory() && existsSync(file)) {
      manifests.push({
        path: relative(root, file),
        manifest: JSON.parse(readFileSync(file, 'utf8')) as Manifest,
      });
    }
  }
}

const workspaceNames = new Set(manifests.map((m) => m.manifest.name));
const errors: string[] = [];

for (const { path, manifest } of manifests) {
  const rule =
    allowed[manifest.name] ?? (manifest.name.startsWith('@mqttkit/store-') ? storeRule : undefined);
  if (!rule) {
    if (!manifest.private)
      errors.push(`${path}: ${manifest.name} is published but has no row in the dependency table`);
    continue;
  }
  const optionalTestPeers = Object.keys(manifest.peerDependencies ?? {}).filter(
    (name) => testingPeers.has(name) && manifest.peerDependenciesMeta?.[name]?.optional === true,
  );
  const peers = Object.fromEntries(
    Object.entries(manifest.peerDependencies ?? {}).filter(([name]) => !optionalTestPeers.includes(name)),
  );
  const runtime = { ...manifest.dependencies, ...peers };
  const development = manifest.devDependencies ?? {};
  for (const [name, range] of Object.entries({ ...runtime, ...development })) {
    const isRuntime = name in runtime;
    if (workspaceNames.has(name)) {
      if (!range.startsWith('workspace:')) errors.push(`${path}: ${name} must use a workspace: range`);
      if (name === '@mqttkit/config') continue;
      const allowedHere =
        rule.workspace === '*' ||
        rule.workspace.includes(name) ||
        (!isRuntime && rule.development?.includes(name));
      if (!allowedHere) {
        errors.push(
          `${path}: ${manifest.name} may not depend on ${name} (${isRuntime ? 'dependency' : 'devDependency'})`,
        );
      }
    } else if (isRuntime) {
      const ok = rule.external === true || (Array.isArray(rule.external) && rule.external.includes(name));
      if (!ok) errors.push(`${path}: ${manifest.name} must have no runtime dependencies, found ${name}`);
    }
  }
}

if (errors.length > 0) {
  console.error(
    `check-deps: ${errors.length} dependency rule(s) broken\n${errors.map((e) => `  ${e}`).join('\n')}`,
  );
  process.exit(1);
}
console.log(`check-deps: ${manifests.length} package(s) follow the dependency table`);
