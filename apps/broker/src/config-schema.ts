import { z } from 'zod';
import { createBrokerCapabilities, defaultBrokerCapabilities } from '@mqttkit/broker';
import { hasAuthentication } from './has-authentication.js';
import { isLoopbackHost } from './is-loopback-host.js';

const port = z.number().int().min(0).max(65_535);

const tlsSchema = z.strictObject({
  /** PEM certificate chain file. */
  cert: z.string().min(1),
  /** PEM private key file. */
  key: z.string().min(1),
  /** PEM CA file used to verify client certificates. */
  ca: z.string().min(1).optional(),
  /** Ask clients for a certificate (mTLS). */
  requestCert: z.boolean().default(false),
  /** With requestCert, close connections whose certificate the CA does not verify. */
  rejectUnauthorized: z.boolean().default(true),
});

export const ListenerType = { tcp: 'tcp', tls: 'tls', ws: 'ws', wss: 'wss' } as const;
export type ListenerType = (typeof ListenerType)[keyof typeof ListenerType];

export const defaultListenerPorts: Record<ListenerType, number> = {
  tcp: 1883,
  tls: 8883,
  ws: 8080,
  wss: 8081,
};

const listenerSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .refine((name) => name !== 'in-process', "the name in-process is the broker's own client")
      .optional(),
    type: z.enum(['tcp', 'tls', 'ws', 'wss']).default('tcp'),
    host: z.string().min(1).default('127.0.0.1'),
    port: port.optional(),
    path: z.string().startsWith('/').optional(),
    tls: tlsSchema.optional(),
    proxyProtocol: z.boolean().default(false),
    trustProxy: z.boolean().default(false),
    allowAnonymous: z.boolean().optional(),
  })
  .superRefine((listener, context) => {
    const secure = listener.type === 'tls' || listener.type === 'wss';
    if (secure && listener.tls === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `a ${listener.type} listener needs tls.cert and tls.key`,
      });
    }
    if (!secure && listener.tls !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `tls applies to tls and wss listeners, not ${listener.type}`,
      });
    }
    const webSocket = listener.type === 'ws' || listener.type === 'wss';
    if (!webSocket && listener.path !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['path'],
        message: 'path applies to ws and wss listeners only',
      });
    }
    if (webSocket && listener.proxyProtocol) {
      context.addIssue({
        code: 'custom',
        path: ['proxyProtocol'],
        message: 'proxyProtocol applies to tcp and tls listeners; use trustProxy for ws',
      });
    }
    if (!webSocket && listener.trustProxy) {
      context.addIssue({
        code: 'custom',
        path: ['trustProxy'],
        message: 'trustProxy applies to ws and wss listeners only',
      });
    }
  });

function capabilitySchema(value: unknown): z.ZodType {
  if (typeof value === 'boolean') return z.boolean();
  return z.number().int().min(0);
}

// Every capability of the broker except sysInterval, which lives under `sys.interval`.
const capabilityShape: Record<string, z.ZodType> = {};
for (const [key, value] of Object.entries(defaultBrokerCapabilities)) {
  if (key === 'sysInterval') continue;
  capabilityShape[key] = capabilitySchema(value ?? 0).optional();
}
const capabilitiesSchema = z.strictObject(capabilityShape);

const jwtSchema = z
  .strictObject({
    secret: z.string().min(1).optional(),
    secretFile: z.string().min(1).optional(),
    publicKeyFile: z.string().min(1).optional(),
    algorithm: z
      .enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])
      .optional(),
    jwksFile: z.string().min(1).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    usernameClaim: z.string().min(1).optional(),
    rolesClaim: z.string().min(1).optional(),
    clockTolerance: z.number().int().min(0).optional(),
  })
  .superRefine((jwt, context) => {
    const sources = [jwt.secret, jwt.secretFile, jwt.publicKeyFile, jwt.jwksFile].filter(
      (value) => value !== undefined,
    );
    if (sources.length !== 1) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: 'set exactly one of secret, secretFile, publicKeyFile or jwksFile',
      });
    }
    if (jwt.publicKeyFile !== undefined && jwt.algorithm === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['algorithm'],
        message: 'publicKeyFile needs algorithm (e.g. RS256)',
      });
    }
  });

const httpAuthSchema = z.strictObject({
  url: z.url(),
  timeout: z.number().int().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

const authSchema = z.strictObject({
  passwordFile: z.string().min(1).optional(),
  aclFile: z.string().min(1).optional(),
  jwt: jwtSchema.optional(),
  http: httpAuthSchema.optional(),
  defaultAccess: z.enum(['allow', 'deny']).default('allow'),
});

const persistenceSchema = z.strictObject({
  /** `lmdb`: sessions and retained messages on disk (`@mqttkit/store-lmdb`); `memory`: lost at exit. */
  store: z.enum(['lmdb', 'memory']).default('lmdb'),
  /** The lmdb store's directory, relative to the working directory. */
  path: z.string().min(1).default('./mqttkit-data'),
  /** When a write counts as durable: `{ intervalMs }` (group commit), `always` or `none`. */
  sync: z
    .union([z.enum(['always', 'none']), z.strictObject({ intervalMs: z.number().int().min(0).max(60_000) })])
    .default({ intervalMs: 2 }),
  /** What to do with data the store cannot trust: `refuse` to start, or `move-aside` and start empty. */
  onCorrupt: z.enum(['refuse', 'move-aside']).default('refuse'),
});

/** The configuration schema: what the file, `MQTTKIT_*` variables and `--set` flags may contain. */
export const configSchema = z
  .strictObject({
    port: port.default(1883),
    listeners: z.array(listenerSchema).min(1).optional(),
    auth: authSchema.prefault({}),
    capabilities: capabilitiesSchema.prefault({}),
    persistence: persistenceSchema.prefault({}),
    sys: z.strictObject({ interval: z.number().int().min(0).max(86_400).default(10) }).prefault({}),
    log: z
      .strictObject({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        format: z.enum(['auto', 'pretty', 'json']).default('auto'),
      })
      .prefault({}),
    http: z
      .strictObject({ host: z.string().min(1).default('127.0.0.1'), port: port.optional() })
      .prefault({}),
    shutdownTimeout: z.number().int().min(100).max(600_000).default(10_000),
  })
  .superRefine((config, context) => {
    try {
      createBrokerCapabilities({ ...config.capabilities, sysInterval: config.sys.interval });
    } catch (error) {
      // The broker's own validation has the ranges; it names the key in quotes.
      const message = error instanceof Error ? error.message : String(error);
      const key = /'(\w+)'/.exec(message)?.[1];
      const path =
        key === undefined
          ? ['capabilities']
          : key === 'sysInterval'
            ? ['sys', 'interval']
            : ['capabilities', key];
      context.addIssue({ code: 'custom', path, message: message.replace(/^\w+ capability '\w+' /, '') });
    }
    const authenticates = hasAuthentication(config);
    for (const [index, listener] of (config.listeners ?? []).entries()) {
      if (authenticates || isLoopbackHost(listener.host) || listener.allowAnonymous === true) continue;
      context.addIssue({
        code: 'custom',
        path: ['listeners', index, 'host'],
        message:
          `listener on ${listener.host} accepts clients from the network but no authentication is configured; ` +
          'set auth.passwordFile (or auth.jwt, auth.http), or allowAnonymous: true on this listener',
      });
    }
  });

/** A listener after validation. */
export type ListenerConfig = z.output<typeof listenerSchema>;
/** The configuration after validation, defaults filled in. */
export type MqttkitConfig = z.output<typeof configSchema>;
/** What a configuration file may contain. */
export type MqttkitConfigInput = z.input<typeof configSchema>;
