// Creates packages/<name> from tooling/package-template (STYLE HS-4).
// Usage: pnpm new-package <name> "<one-sentence description>"
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, description] = process.argv.slice(2);
if (!name || !description || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: pnpm new-package <kebab-case-name> "<one-sentence description>"');
  process.exit(2);
}
const root = join(import.meta.dirname, '..', '..');
const target = join(root, 'packages', name);
if (existsSync(target)) {
  console.error(`packages/${name} exists already`);
  process.exit(1);
}
cpSync(join(root, 'tooling', 'package-template'), target, { recursive: true });

function fill(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const file = join(dir, entry);
    if (statSync(file).isDirectory()) fill(file);
    else {
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replaceAll('__NAME__', name!).replaceAll('__DESCRIPTION__', description!));
    }
  }
}
fill(target);
console.log(
  `created packages/${name}: run pnpm install, then add a row for it in tooling/scripts/check-deps.ts`,
);
