import { readFile } from 'node:fs/promises';
import {
  aclFile,
  callbackAuth,
  httpAuth,
  jwtAuth,
  passwordFile,
  readAclFile,
  readPasswordFile,
} from '@mqttkit/auth';
import type { JwtKey } from '@mqttkit/auth';
import type { Hook, Logger } from '@mqttkit/contracts';
import type { MqttkitConfig } from './config-schema.js';
import { CliError } from './cli-error.js';
import { hasAuthentication } from './has-authentication.js';
import { readConfiguredFile } from './read-configured-file.js';
import type { ResolvedListener } from './resolve-listeners.js';

/** The listener name the broker gives to its own in-process client (`broker.subscribe`). */
export const inProcessListener = 'in-process';

/** The hooks built from the configuration, and what SIGHUP reloads. */
export interface BuiltHooks {
  readonly hooks: readonly Hook[];
  /** The password and ACL files, each with a function that reads it again. */
  readonly reloadable: readonly { readonly name: string; reload(): Promise<void> }[];
}

export interface BuildHooksOptions {
  readonly config: MqttkitConfig;
  readonly listeners: readonly ResolvedListener[];
  readonly logger: Logger;
  /** Let the app's own in-process client subscribe to `$SYS/#` (for metrics). */
  readonly readSys?: boolean;
  /** Watch the password and ACL files for changes. Default true. */
  readonly watch?: boolean;
}

/** Builds a provider; an option it refuses becomes one line naming the configuration key. */
function configured(key: string, create: () => Hook): Hook {
  try {
    return create();
  } catch (error) {
    throw new CliError(
      `configuration error: ${key}: ${error instanceof Error ? error.message : String(error)}`,
      {
        exitCode: 2,
        cause: error,
      },
    );
  }
}

async function jwtKey(jwt: NonNullable<MqttkitConfig['auth']['jwt']>): Promise<JwtKey> {
  if (jwt.secret !== undefined) return { type: 'secret', secret: jwt.secret };
  if (jwt.secretFile !== undefined) {
    const path = jwt.secretFile;
    const secret = await readConfiguredFile({
      what: 'JWT secret file',
      key: 'auth.jwt.secretFile',
      path,
      read: (file) => readFile(file, 'utf8'),
    });
    return { type: 'secret', secret: secret.trim() };
  }
  if (jwt.publicKeyFile !== undefined) {
    const path = jwt.publicKeyFile;
    const key = await readConfiguredFile({
      what: 'JWT public key file',
      key: 'auth.jwt.publicKeyFile',
      path,
      read: (file) => readFile(file, 'utf8'),
    });
    return { type: 'public-key', key, algorithm: jwt.algorithm! };
  }
  const path = jwt.jwksFile!;
  await readConfiguredFile({
    what: 'JWKS file',
    key: 'auth.jwt.jwksFile',
    path,
    read: (file) => readFile(file, 'utf8'),
  });
  return { type: 'jwks-file', path };
}

/**
 * Composes the auth providers the configuration asks for, in this order: password file, JWT,
 * HTTP, anonymous access on the listeners that allow it, ACL file, then the default access for
 * requests no provider decided. Files are read once here so that a bad one stops the start
 * with a clear line; they are watched and reloaded on SIGHUP afterwards.
 */
export async function buildHooks(options: BuildHooksOptions): Promise<BuiltHooks> {
  const { config, logger } = options;
  const auth = config.auth;
  const hooks: Hook[] = [];
  const reloadable: { name: string; reload(): Promise<void> }[] = [];

  if (options.readSys === true) {
    hooks.push(
      callbackAuth({
        name: 'metrics-sys-reader',
        authorizeSubscribe: ({ client, topicFilter }) =>
          client.listener === inProcessListener && topicFilter.startsWith('$SYS/')
            ? { allow: true, reason: 'the metrics endpoint reads $SYS' }
            : 'defer',
      }),
    );
  }
  if (auth.passwordFile !== undefined) {
    const path = auth.passwordFile;
    await readConfiguredFile({
      what: 'password file',
      key: 'auth.passwordFile',
      path,
      read: readPasswordFile,
    });
    const hook = passwordFile({ path, logger, watch: options.watch ?? true });
    hooks.push(hook);
    reloadable.push({ name: 'password file', reload: () => hook.reload() });
  }
  if (auth.jwt !== undefined) {
    const jwt = auth.jwt;
    const key = await jwtKey(jwt);
    hooks.push(
      configured('auth.jwt', () =>
        jwtAuth({
          keys: [key],
          ...(jwt.issuer === undefined ? {} : { issuer: jwt.issuer }),
          ...(jwt.audience === undefined ? {} : { audience: jwt.audience }),
          ...(jwt.usernameClaim === undefined ? {} : { usernameClaim: jwt.usernameClaim }),
          ...(jwt.rolesClaim === undefined ? {} : { rolesClaim: jwt.rolesClaim }),
          ...(jwt.clockTolerance === undefined ? {} : { clockTolerance: jwt.clockTolerance }),
        }),
      ),
    );
  }
  if (auth.http !== undefined) {
    const http = auth.http;
    hooks.push(
      configured('auth.http', () =>
        httpAuth({
          url: http.url,
          ...(http.timeout === undefined ? {} : { timeout: http.timeout }),
          ...(http.headers === undefined ? {} : { headers: http.headers }),
        }),
      ),
    );
  }
  const anonymousListeners = new Set(
    options.listeners.filter((listener) => listener.allowAnonymous).map((listener) => listener.name),
  );
  if (anonymousListeners.size > 0) {
    // Without any authentication configured a user name is only a label, as in mosquitto.
    const checksUsers = hasAuthentication(config);
    hooks.push(
      callbackAuth({
        name: 'anonymous',
        authenticate: ({ client }) =>
          anonymousListeners.has(client.listener) && (client.username === undefined || !checksUsers)
            ? { allow: true, reason: `listener ${client.listener} allows anonymous clients` }
            : 'defer',
      }),
    );
  }
  if (auth.aclFile !== undefined) {
    const path = auth.aclFile;
    await readConfiguredFile({ what: 'ACL file', key: 'auth.aclFile', path, read: readAclFile });
    const hook = aclFile({ path, logger, watch: options.watch ?? true });
    hooks.push(hook);
    reloadable.push({ name: 'ACL file', reload: () => hook.reload() });
  }
  if (auth.defaultAccess === 'allow') {
    const decision = { allow: true, reason: 'no rule denied it and auth.defaultAccess is allow' } as const;
    hooks.push(
      callbackAuth({
        name: 'default-access',
        authorizePublish: () => decision,
        authorizeSubscribe: () => decision,
      }),
    );
  }
  return { hooks, reloadable };
}
