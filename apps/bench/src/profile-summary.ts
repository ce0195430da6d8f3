import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

/** One function's share of the samples in a V8 CPU profile. */
export interface ProfileEntry {
  readonly name: string;
  /** Percent of all samples spent in the function itself. */
  readonly self: number;
  /** Percent of all samples with the function anywhere on the stack. */
  readonly total: number;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url === '' ? '' : ` ${basename(url)}:${lineNumber + 1}`;
  return `${functionName === '' ? '(anonymous)' : functionName}${file}`;
}

/** The functions of a `.cpuprofile` (from `node --cpu-prof`) with the most self time. */
export async function summarizeProfile(file: string, top = 25): Promise<ProfileEntry[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const hits = new Map<number, number>();
  for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, count] of hits) {
    const name = label(byId.get(id)!);
    self.set(name, (self.get(name) ?? 0) + count);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = label(byId.get(current)!);
      if (seen.has(frame)) continue;
      seen.add(frame);
      total.set(frame, (total.get(frame) ?? 0) + count);
    }
  }
  const samples = profile.samples.length;
  return [...self.entries()]
    .sort((left, right) => right[1] - left[1])
    .slice(0, top)
    .map(([name, count]) => ({
      name,
      self: (count * 100) / samples,
      total: ((total.get(name) ?? 0) * 100) / samples,
    }));
}
