import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const fixture = fileURLToPath(new URL('fixtures/broker-process.ts', import.meta.url));

/** A broker process on the store in `directory`, and the port it listens on. */
export interface BrokerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Kills it with SIGKILL and waits until it is gone. */
  kill(): Promise<void>;
}

export async function startBrokerProcess(
  directory: string,
  sync: unknown = { intervalMs: 2 },
): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@mqttkit/source', '--import', 'tsx', fixture, directory, JSON.stringify(sync)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`the broker process exited (${String(code ?? signal)}) before listening: ${errors}`);
  });
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  lines.close();
  const { port } = JSON.parse(line) as { port: number };
  return {
    child,
    url: `mqtt://127.0.0.1:${String(port)}`,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** A seeded generator of numbers in [0, 1) (mulberry32), so a failing run can be repeated. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
