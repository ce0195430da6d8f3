import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { portOf, runMqttkit, startMqttkit, temporaryDirectory } from './mqttkit-process.js';

/** Not an LMDB file: what a disk error or another program could leave behind. */
async function writeCorruptStore(directory: string): Promise<string> {
  const file = join(directory, 'data.mdb');
  await writeFile(file, Buffer.alloc(16_384, 'not an lmdb file '));
  return file;
}

describe('mqttkit persistence', () => {
  it('keeps state in the lmdb store by default: a retained message is back after a restart', async () => {
    const directory = await temporaryDirectory();
    const env = { MQTTKIT_PERSISTENCE_PATH: directory };
    const first = startMqttkit(['--port', '0'], { env });
    const [url] = await first.started();
    const started = await first.waitFor((line) => line.msg === 'mqttkit started');
    expect(started.store).toBe('lmdb');
    expect(started.storePath).toBe(directory);
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${portOf(url!)}`, { reconnectPeriod: 0 });
    await publisher.publishAsync('status/door', 'open', { qos: 1, retain: true });
    await publisher.endAsync();
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(await readdir(directory)).toContain('data.mdb');

    const second = startMqttkit(['--port', '0'], { env });
    const [secondUrl] = await second.started();
    const subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${portOf(secondUrl!)}`, {
      reconnectPeriod: 0,
    });
    const received = new Promise<[string, string, boolean]>((resolve) =>
      subscriber.on('message', (topic, payload, packet) =>
        resolve([topic, payload.toString(), packet.retain]),
      ),
    );
    await subscriber.subscribeAsync('status/#', { qos: 1 });
    expect(await received).toStrictEqual(['status/door', 'open', true]);
    await subscriber.endAsync();
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('refuses to start on a corrupt store with one line naming the file and the way out', async () => {
    const directory = await temporaryDirectory();
    const file = await writeCorruptStore(directory);
    const { code, stderr } = await runMqttkit(['--port', '0'], {
      env: { MQTTKIT_PERSISTENCE_PATH: directory },
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mqttkit: the mqttkit store .* is corrupt or unreadable: /);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toContain('persistence.onCorrupt=move-aside');
    // Refusing leaves the data where it was, for a backup or a closer look.
    expect(await readdir(directory)).toStrictEqual(['data.mdb']);
  });

  it('with persistence.onCorrupt=move-aside, moves the corrupt file aside, says so and starts empty', async () => {
    const directory = await temporaryDirectory();
    const file = await writeCorruptStore(directory);
    const running = startMqttkit(['--port', '0', '--set', 'persistence.onCorrupt=move-aside'], {
      env: { MQTTKIT_PERSISTENCE_PATH: directory },
    });
    const [url] = await running.started();
    const warning = await running.waitFor((line) => line.msg.includes('moved it aside'));
    expect(warning.file).toBe(file);
    expect(await readdir(directory)).toContain((warning.movedTo as string).slice(directory.length + 1));
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${portOf(url!)}`, { reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });

  it('keeps nothing on disk with persistence.store=memory', async () => {
    const directory = await temporaryDirectory();
    const running = startMqttkit(['--port', '0', '--set', 'persistence.store=memory'], {
      env: { MQTTKIT_PERSISTENCE_PATH: directory },
    });
    const started = await running.waitFor((line) => line.msg === 'mqttkit started');
    expect(started.store).toBe('memory');
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    expect(await readdir(directory)).toStrictEqual([]);
  });
});
