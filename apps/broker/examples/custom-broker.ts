import { createLogger, loadConfig, startServer } from 'mqttkit';
import type { Hook } from '@mqttkit/contracts';
const audit: Hook = {
  name: 'audit',
  onPublished: ({ client, packet }) => console.log(`${client.clientId} -> ${packet.topic}`),
};
const { config } = await loadConfig({ environment: process.env }); // MQTTKIT_* and MQTTKIT_CONFIG
const server = await startServer({ config, logger: createLogger(config.log), hooks: [audit] });
console.log('listening on', server.listening.map((entry) => entry.url).join(', '));
process.once('SIGTERM', () => void server.close());
