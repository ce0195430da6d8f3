import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { portOf, startMqttkit, temporaryDirectory } from './mqttkit-process.js';

const run = promisify(execFile);

/** A self-signed certificate for 127.0.0.1 made by openssl; returns the certificate and key paths. */
async function certificate(directory: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(directory, `${name}.pem`);
  const key = join(directory, `${name}-key.pem`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

async function peerFingerprint(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return fingerprint;
}

describe('mqttkit TLS and WSS listeners', () => {
  it('replaces the certificates on SIGHUP without dropping connections', async () => {
    const directory = await temporaryDirectory();
    const first = await certificate(directory, 'first');
    const second = await certificate(directory, 'second');
    const served = { cert: join(directory, 'server.pem'), key: join(directory, 'server-key.pem') };
    await copyFile(first.cert, served.cert);
    await copyFile(first.key, served.key);
    const config = join(directory, 'mqttkit.yaml');
    const tls = `tls: { cert: ${served.cert}, key: ${served.key} }`;
    await writeFile(
      config,
      `listeners:\n  - { type: tls, port: 0, ${tls} }\n  - { type: wss, port: 0, ${tls} }\n`,
    );
    const running = startMqttkit(['--config', config]);
    const [tlsUrl, wssUrl] = await running.started();
    expect(tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(wssUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);

    const firstCa = await readFile(first.cert);
    const overTls = await mqtt.connectAsync(tlsUrl!, { ca: firstCa, reconnectPeriod: 0, protocolVersion: 5 });
    const overWss = await mqtt.connectAsync(wssUrl!, { ca: firstCa, reconnectPeriod: 0, protocolVersion: 5 });

    await copyFile(second.cert, served.cert);
    await copyFile(second.key, served.key);
    running.child.kill('SIGHUP');
    const reloaded = await running.waitFor((line) => line.msg === 'reloaded');
    expect(reloaded.reloaded).toHaveLength(2);

    const expected = new X509Certificate(await readFile(second.cert)).fingerprint256;
    expect(await peerFingerprint(portOf(tlsUrl!))).toBe(expected);
    expect(await peerFingerprint(portOf(wssUrl!))).toBe(expected);
    expect(overTls.connected && overWss.connected).toBe(true);
    await overTls.publishAsync('still/here', 'yes', { qos: 1 });
    await overWss.publishAsync('still/here', 'yes', { qos: 1 });
    await Promise.all([overTls.endAsync(), overWss.endAsync()]);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });
});
