import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { runMqttkit, startMqttkit, portOf, temporaryDirectory } from './mqttkit-process.js';

describe('mqttkit with no configuration', () => {
  it('listens on the loopback addresses, lets anonymous clients in and stops on SIGTERM', async () => {
    const running = startMqttkit(['--port', '0']);
    const urls = await running.started();
    expect(urls[0]).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    // The IPv6 loopback is optional: a machine without it logs a warning and keeps IPv4.
    if (urls.length > 1) expect(urls[1]).toMatch(/^mqtt:\/\/\[::1\]:\d+$/);
    else expect(running.lines.some((line) => line.msg.includes('IPv6 loopback is unavailable'))).toBe(true);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${portOf(urls[0]!)}`, { reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });
});

describe('mqttkit config print', () => {
  it('applies the file, then MQTTKIT_* variables, then flags', async () => {
    const directory = await temporaryDirectory();
    const file = join(directory, 'mqttkit.yaml');
    await writeFile(
      file,
      'log:\n  level: warn\nsys:\n  interval: 30\nhttp:\n  port: 9100\ncapabilities:\n  maximumConnections: 10\n',
    );
    const { code, stdout } = await runMqttkit(
      ['config', 'print', '--json', '--config', file, '--set', 'sys.interval=5'],
      {
        env: {
          MQTTKIT_LOG_LEVEL: 'error',
          MQTTKIT_SYS_INTERVAL: '20',
          MQTTKIT_CAPABILITIES_RECEIVE_MAXIMUM: '50',
        },
      },
    );
    expect(code).toBe(0);
    const config = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    expect(config.log!.level).toBe('error'); // file < environment
    expect(config.sys!.interval).toBe(5); // environment < flags
    expect(config.http!.port).toBe(9100); // file < defaults
    expect(config.capabilities).toMatchObject({ maximumConnections: 10, receiveMaximum: 50, maximumQoS: 2 });
  });

  it('reads JSON files and hides secrets', async () => {
    const directory = await temporaryDirectory();
    const file = join(directory, 'mqttkit.json');
    await writeFile(file, JSON.stringify({ auth: { jwt: { secret: 'a'.repeat(32) } } }));
    const { code, stdout } = await runMqttkit(['config', 'print', '--config', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('secret: <hidden>');
    expect(stdout).not.toContain('a'.repeat(32));
  });
});

describe('mqttkit configuration errors', () => {
  it('names the bad key with the file and line, in one line without a stack', async () => {
    const directory = await temporaryDirectory();
    const file = join(directory, 'mqttkit.yaml');
    await writeFile(file, 'log:\n  level: info\nlisteners:\n  - type: tcp\n    port: 0\n    hots: 0.0.0.0\n');
    const { code, stderr } = await runMqttkit(['--config', file]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`${file}:6: listeners[0].hots: unknown key`);
  });

  it('names an environment variable whose value is wrong', async () => {
    const { code, stderr } = await runMqttkit(['config', 'print'], {
      env: { MQTTKIT_CAPABILITIES_RECEIVE_MAXIMUM: '0' },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^mqttkit: configuration error: environment variable MQTTKIT_CAPABILITIES_RECEIVE_MAXIMUM: must be an integer from 1 to 65535/,
    );
  });

  it('refuses a listener on a network address without authentication', async () => {
    const { code, stderr } = await runMqttkit([
      'config',
      'print',
      '--set',
      'listeners=[{host: 0.0.0.0, port: 0}]',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('no authentication is configured');
    expect(stderr).toContain('allowAnonymous: true');
    const allowed = await runMqttkit([
      'config',
      'print',
      '--set',
      'listeners=[{host: 0.0.0.0, port: 0, allowAnonymous: true}]',
    ]);
    expect(allowed.code).toBe(0);
  });

  it('reports a port in use with the fix', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { code, stderr } = await runMqttkit(['--set', `listeners=[{port: ${port}}]`]);
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `mqttkit: cannot listen on 127.0.0.1:${port}: address already in use; stop the program using it or choose another listeners[0].port`,
      );
    } finally {
      blocker.close();
    }
  });

  it('reports a missing certificate file', async () => {
    const { code, stderr } = await runMqttkit([
      '--set',
      'listeners=[{type: tls, port: 0, tls: {cert: /nonexistent/cert.pem, key: /nonexistent/key.pem}}]',
    ]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "mqttkit: cannot read certificate file /nonexistent/cert.pem: no such file; fix listeners[0].tls.cert or the file's permissions",
    );
  });

  it('reports an unreadable password file', async () => {
    const { code, stderr } = await runMqttkit([
      '--port',
      '0',
      '--set',
      'auth.passwordFile=/nonexistent/passwd',
    ]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "mqttkit: cannot read password file /nonexistent/passwd: no such file; fix auth.passwordFile or the file's permissions",
    );
  });
});
