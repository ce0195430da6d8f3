import { existsSync } from 'node:fs';
import { readFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startMqttkit } from './mqttkit-process.js';

const require = createRequire(import.meta.url);
const executablePath = '/usr/bin/chromium';

describe('the README WebSocket example page', () => {
  it('subscribes and publishes through mqttkit from headless Chromium', async () => {
    if (!existsSync(executablePath)) {
      throw new Error(
        `${executablePath} is missing: install the Debian package chromium (apt-get install -y chromium)`,
      );
    }
    const page = await readFile(join(import.meta.dirname, '..', 'examples', 'websocket.html'));
    const bundle = await readFile(join(require.resolve('mqtt/package.json'), '..', 'dist', 'mqtt.min.js'));
    const files: Record<string, { body: Buffer; type: string }> = {
      '/websocket.html': { body: page, type: 'text/html' },
      '/mqtt.min.js': { body: bundle, type: 'text/javascript' },
    };
    const server = createServer((request, response) => {
      const file = files[(request.url ?? '/').split('?')[0]!];
      if (file === undefined) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': file.type }).end(file.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pagePort = (server.address() as AddressInfo).port;

    const running = startMqttkit(['--set', 'listeners=[{type: ws, port: 0}]']);
    const [brokerUrl] = await running.started();
    expect(brokerUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);

    // A fresh profile each run; playwright passes it as --user-data-dir.
    const browser = await chromium.launchPersistentContext(
      await mkdtemp(join(tmpdir(), 'mqttkit-chromium-')),
      {
        executablePath,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      },
    );
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${pagePort}/websocket.html?broker=${encodeURIComponent(brokerUrl!)}`);
      await tab.locator('#messages li').first().waitFor({ timeout: 15_000 });
      expect(await tab.locator('#status').textContent()).toBe('subscribed');
      expect(await tab.locator('#messages li').allTextContents()).toEqual([
        'demo/browser: hello from the browser',
      ]);
    } finally {
      await browser.close();
      server.close();
      running.child.kill('SIGTERM');
      await running.exited;
    }
  });
});
