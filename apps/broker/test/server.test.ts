import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { hashMosquittoPassword } from '@mqttkit/auth';
import { freePort, portOf, runMqttkit, startMqttkit, temporaryDirectory } from './mqttkit-process.js';

const run = promisify(execFile);

async function connectError(url: string, options: mqtt.IClientOptions): Promise<unknown> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, ...options }).then(
    async (client) => {
      await client.endAsync();
      return undefined;
    },
    (error: unknown) => error,
  );
}

describe('mqttkit reload and shutdown', () => {
  it('reloads the password file and the ACL file on SIGHUP without dropping connections', async () => {
    const directory = await temporaryDirectory();
    const passwords = join(directory, 'passwd');
    const acl = join(directory, 'acl');
    await writeFile(passwords, `alice:${await hashMosquittoPassword('first')}\n`);
    await writeFile(acl, 'user alice\ntopic readwrite a/#\n');
    const config = join(directory, 'mqttkit.yaml');
    await writeFile(
      config,
      `listeners:\n  - port: 0\nauth:\n  passwordFile: ${passwords}\n  aclFile: ${acl}\n`,
    );
    const running = startMqttkit(['--config', config]);
    const [url] = await running.started();
    const alice = await mqtt.connectAsync(url!, {
      username: 'alice',
      password: 'first',
      reconnectPeriod: 0,
      protocolVersion: 5,
    });
    await expect(alice.subscribeAsync('b/1')).rejects.toThrow('Not authorized');

    await writeFile(passwords, `alice:${await hashMosquittoPassword('second')}\n`);
    await writeFile(acl, 'user alice\ntopic readwrite a/#\ntopic read b/#\n');
    running.child.kill('SIGHUP');
    await running.waitFor((line) => line.msg === 'reloaded');

    expect(alice.connected).toBe(true);
    const granted = await alice.subscribeAsync('b/1');
    expect(granted[0]!.qos).toBe(0);
    expect(
      await connectError(url!, { username: 'alice', password: 'first', protocolVersion: 5 }),
    ).toBeInstanceOf(Error);
    expect(
      await connectError(url!, { username: 'alice', password: 'second', protocolVersion: 5 }),
    ).toBeUndefined();
    await alice.endAsync();
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });

  it('[MQTT-3.14.2-1] on SIGTERM sends MQTT 5 clients DISCONNECT 0x8B and exits 0 within the shutdown timeout', async () => {
    const running = startMqttkit(['--set', 'listeners=[{port: 0}]', '--set', 'shutdownTimeout=5000']);
    const [url] = await running.started();
    const client = await mqtt.connectAsync(url!, { protocolVersion: 5, reconnectPeriod: 0 });
    const disconnect = new Promise<number | undefined>((resolve) =>
      client.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    const started = Date.now();
    running.child.kill('SIGTERM');
    expect(await disconnect).toBe(0x8b);
    expect((await running.exited).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    client.end(true);
  });
});

describe('mqttkit with mosquitto clients and metrics', () => {
  it('carries a message from mosquitto_pub to mosquitto_sub and counts it in /metrics', async () => {
    const running = startMqttkit(['--set', 'listeners=[{port: 0}]', '--http-port', '0']);
    const [url] = await running.started();
    const port = String(portOf(url!));
    const metricsLine = await running.waitFor((line) => line.msg === 'metrics endpoint');
    // -d prints the protocol exchange on stdout (line-buffered through stdbuf, as stdout is a pipe):
    // the SUBACK line says the subscription is in place.
    const subscriber = spawn('stdbuf', [
      '-oL',
      'mosquitto_sub',
      '-d',
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-t',
      'round/trip',
      '-C',
      '1',
      '-q',
      '1',
    ]);
    let received = '';
    const subscribed = new Promise<void>((resolve) =>
      subscriber.stdout.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        if (received.includes('received SUBACK')) resolve();
      }),
    );
    const subscriberExited = new Promise((resolve) => subscriber.once('exit', resolve));
    await subscribed;
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-t', 'round/trip', '-m', 'hello', '-q', '1']);
    expect(await subscriberExited).toBe(0);
    expect(received).toMatch(/^hello$/m);

    const metricsUrl = metricsLine.url as string;
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/^mqttkit_messages_received_total\{qos="1"\} 1$/m);
    expect(metrics).toMatch(/^mqttkit_messages_delivered_total\{qos="1"\} 1$/m);
    expect(metrics).toMatch(/^mqttkit_bytes_received_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^mqttkit_client_connects_total 2$/m);
    expect(metrics).toContain('nodejs_eventloop_lag_seconds');
    const health = await fetch(metricsLine.health as string);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });
});

describe('mqttkit with JWT authentication', () => {
  it('accepts a client with a valid token and refuses anonymous clients, even on loopback', async () => {
    const secret = 'a-secret-of-at-least-thirty-two-bytes';
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'sensor-7', exp: Math.floor(Date.now() / 1000) + 600 })}`;
    const token = `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
    const running = startMqttkit(['--set', 'listeners=[{port: 0}]'], {
      env: { MQTTKIT_AUTH_JWT_SECRET: secret, MQTTKIT_AUTH_JWT_USERNAME_CLAIM: 'sub' },
    });
    const [url] = await running.started();
    expect(
      await connectError(url!, { username: 'sensor-7', password: token, protocolVersion: 5 }),
    ).toBeUndefined();
    expect(
      await connectError(url!, { username: 'sensor-7', password: `${token}x`, protocolVersion: 5 }),
    ).toBeInstanceOf(Error);
    expect(await connectError(url!, { protocolVersion: 5 })).toBeInstanceOf(Error);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });
});

describe('mqttkit passwd and acl check', () => {
  it('writes a password file that the auth package parses and mosquitto_passwd and mosquitto read', async () => {
    const directory = await temporaryDirectory();
    const file = join(directory, 'passwd');
    expect((await runMqttkit(['passwd', '-c', '-b', file, 'alice', 'wonderland'])).code).toBe(0);
    const added = await runMqttkit(['passwd', file, 'bob'], { input: 'builder\n' });
    expect(added).toMatchObject({ code: 0, stdout: `added user bob in ${file}\n` });
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^alice:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==\nbob:\$7\$101\$/);

    const { parsePasswordFile, verifyMosquittoPassword } = await import('@mqttkit/auth');
    const users = parsePasswordFile(text);
    expect(await verifyMosquittoPassword('wonderland', users.get('alice')!)).toBe(true);
    expect(await verifyMosquittoPassword('builder', users.get('bob')!)).toBe(true);

    // The real mosquitto_passwd reads the file to change it: it must keep our users as they are.
    await run('mosquitto_passwd', ['-b', file, 'carol', 'secret']);
    const after = parsePasswordFile(await readFile(file, 'utf8'));
    expect(after.get('alice')).toBe(users.get('alice'));
    expect(await verifyMosquittoPassword('secret', after.get('carol')!)).toBe(true);

    expect((await runMqttkit(['passwd', '-D', file, 'bob'])).code).toBe(0);
    expect(parsePasswordFile(await readFile(file, 'utf8')).has('bob')).toBe(false);

    // And the real mosquitto broker authenticates with it.
    const port = await freePort();
    const config = join(directory, 'mosquitto.conf');
    await writeFile(
      config,
      `user ${userInfo().username}\nlistener ${port} 127.0.0.1\npassword_file ${file}\nallow_anonymous false\n`,
    );
    const mosquitto = spawn('mosquitto', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        mosquitto.once('exit', (code) =>
          reject(new Error(`mosquitto exited with ${String(code)}: ${output}`)),
        );
        mosquitto.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes(' running')) resolve();
        });
      });
      const publish = (password: string) =>
        run('mosquitto_pub', [
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-u',
          'alice',
          '-P',
          password,
          '-t',
          't',
          '-m',
          'x',
        ]).then(
          () => true,
          () => false,
        );
      expect(await publish('wonderland')).toBe(true);
      expect(await publish('wrong')).toBe(false);
    } finally {
      mosquitto.kill();
    }
  });

  it('explains which ACL rule allows or denies a request', async () => {
    const directory = await temporaryDirectory();
    const acl = join(directory, 'acl');
    await writeFile(
      acl,
      '# sensors\nuser alice\ntopic readwrite sensors/alice/#\ntopic deny sensors/secret\n',
    );
    const allowed = await runMqttkit([
      'acl',
      'check',
      '--acl-file',
      acl,
      '-u',
      'alice',
      '--publish',
      'sensors/alice/temperature',
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(
      /^allow: user alice may publish to sensors\/alice\/temperature\ndecided by acl-file: .*:3/,
    );
    const denied = await runMqttkit([
      'acl',
      'check',
      '--acl-file',
      acl,
      '-u',
      'alice',
      '--subscribe',
      'sensors/#',
    ]);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(
      /^deny: user alice may not subscribe to sensors\/# \(reason code 0x87\)\ndecided by acl-file: .*:4/,
    );
  });
});
