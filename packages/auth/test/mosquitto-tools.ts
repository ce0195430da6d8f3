import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Helpers for tests against the real tools of the Debian package `mosquitto`. A missing tool
// fails the test with an install hint: these tests must not silently skip.
export const run = promisify(execFile);

export async function requireTool(name: string): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${name}`]);
    return stdout.trim();
  } catch {
    throw new Error(
      `${name} is missing: install the Debian package "mosquitto" (apt-get install mosquitto mosquitto-clients)`,
    );
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A mosquitto broker on a free loopback port. */
export interface RunningBroker {
  readonly port: number;
  stop(): void;
}

/** Starts mosquitto with the given config lines (listener and logging are added) and waits until it runs. */
export async function startMosquitto(directory: string, lines: readonly string[]): Promise<RunningBroker> {
  const mosquitto = await requireTool('mosquitto');
  const port = await freePort();
  const config = join(directory, `mosquitto-${port}.conf`);
  // When run as root, mosquitto drops to user "mosquitto", who could not read our temporary files.
  const header = [
    `user ${userInfo().username}`,
    `listener ${port} 127.0.0.1`,
    'log_dest stderr',
    'log_type information',
  ];
  await writeFile(config, [...header, ...lines, ''].join('\n'));
  const child = spawn(mosquitto, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${output}`)));
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(' running')) resolve();
    });
  });
  return { port, stop: () => void child.kill() };
}

/** Publishes at QoS 1 with MQTT 5 through mosquitto_pub; returns 'ok' or what it printed on failure. */
export async function publishWithMosquitto(options: {
  port: number;
  topic: string;
  username?: string;
  password?: string;
  clientId?: string;
}): Promise<string> {
  const mosquittoPub = await requireTool('mosquitto_pub');
  const credentials =
    options.username === undefined ? [] : ['-u', options.username, '-P', options.password ?? ''];
  const clientId = options.clientId === undefined ? [] : ['-i', options.clientId];
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(options.port),
    '-V',
    'mqttv5',
    '-q',
    '1',
    ...credentials,
    ...clientId,
  ];
  args.push('-t', options.topic, '-m', 'x');
  try {
    const { stderr } = await run(mosquittoPub, args, { timeout: 5000 });
    return stderr.trim() === '' ? 'ok' : stderr.trim();
  } catch (error) {
    return String((error as { stderr?: string }).stderr).trim();
  }
}
