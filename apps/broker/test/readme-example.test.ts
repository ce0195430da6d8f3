import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';

const packageDirectory = join(import.meta.dirname, '..');

describe('the README custom broker example', () => {
  it('is examples/custom-broker.ts, ten lines at most, and runs with its hook', async () => {
    const readme = await readFile(join(packageDirectory, 'README.md'), 'utf8');
    const example = await readFile(join(packageDirectory, 'examples', 'custom-broker.ts'), 'utf8');
    const block = /\*\*A custom broker with hooks in ten lines\*\*[\s\S]*?```ts\n([\s\S]*?)```/.exec(
      readme,
    )?.[1];
    expect(block).toBe(example);
    expect(example.trim().split('\n').length).toBeLessThanOrEqual(10);

    const child = spawn(
      process.execPath,
      ['--conditions=@mqttkit/source', '--import', 'tsx', 'examples/custom-broker.ts'],
      {
        cwd: packageDirectory,
        env: {
          PATH: process.env.PATH ?? '',
          MQTTKIT_PORT: '0',
          MQTTKIT_LOG_LEVEL: 'warn',
          // The durable store's directory: never the repository.
          MQTTKIT_PERSISTENCE_PATH: mkdtempSync(join(tmpdir(), 'mqttkit-data-')),
        },
      },
    );
    let output = '';
    const waiters: (() => void)[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const waiter of [...waiters]) waiter();
    });
    const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (match === null) return;
          waiters.splice(waiters.indexOf(check), 1);
          resolve(match);
        };
        waiters.push(check);
        check();
        child.once('exit', (code) => reject(new Error(`the example exited with ${String(code)}: ${output}`)));
      });
    const [, url] = await waitFor(/listening on (mqtt:\/\/127\.0\.0\.1:\d+)/);
    const client = await mqtt.connectAsync(url!, { clientId: 'readme', reconnectPeriod: 0 });
    await client.publishAsync('audit/topic', 'x', { qos: 1 });
    await waitFor(/readme -> audit\/topic/);
    await client.endAsync();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
