import type { Hook, Logger } from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';
import { AclPolicy } from './acl-policy.js';
import type { AclRules } from './acl-rule.js';
import { readAclFile } from './acl-file-format.js';
import { reloadingFile } from './reloading-file.js';

/** Options of `aclFile`. */
export interface AclFileOptions {
  /** Path of a mosquitto `acl_file`. */
  readonly path: string;
  /** Roles and their rules, in addition to the file (whose format has no roles). */
  readonly roles?: AclRules['roles'];
  /** Extra roles per user name. */
  readonly userRoles?: AclRules['userRoles'];
  /** When no rule grants access: `deny` 0x87 (default, like mosquitto) or `defer`. */
  readonly noMatch?: 'deny' | 'defer';
  /** Reload when the file changes. Default `true`. */
  readonly watch?: boolean;
  /** Wait this long after the last change before reloading. Default 200 ms. */
  readonly debounceMs?: number;
  /** Hook name. Default `acl-file`. */
  readonly name?: string;
  /** Where reload failures are reported until the broker's `init` supplies its logger. Default `console`. */
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

/** The ACL-file hook, with control over reloading. */
export interface AclFileHook extends Hook {
  /** Reads the file again. Rejects (keeping the previous rules) when it cannot be read or parsed. */
  reload(): Promise<void>;
  /** Stops watching the file. Idempotent. */
  close(): void;
}

/**
 * Authorizes publishes and subscriptions with a mosquitto `acl_file`, reloading it when it
 * changes. A file that fails to load leaves the previous rules in force; until one loads, every
 * request is denied with 0x87.
 */
export function aclFile(options: AclFileOptions): AclFileHook {
  const name = options.name ?? 'acl-file';
  let policy: AclPolicy | undefined;
  const file = reloadingFile({
    name,
    path: options.path,
    keeps: 'rules',
    ...(options.watch === undefined ? {} : { watch: options.watch }),
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    async load(logger) {
      const rules = await readAclFile(options.path);
      policy = new AclPolicy(
        {
          ...rules,
          ...(options.roles === undefined ? {} : { roles: options.roles }),
          ...(options.userRoles === undefined ? {} : { userRoles: options.userRoles }),
        },
        options.noMatch,
      );
      logger.info(`${name}: loaded ${options.path}`);
    },
  });

  async function check(request: Parameters<AclPolicy['check']>[0]) {
    await file.settled();
    if (policy === undefined)
      return { deny: ReasonCode.NotAuthorized, reason: `${options.path} is not loaded` } as const;
    return policy.check(request);
  }

  return {
    name,
    reload: file.reload,
    async init(context) {
      await file.useLogger(context.logger);
    },
    authorizePublish: ({ client, topic }) => check({ client, action: 'publish', topic }),
    authorizeSubscribe: ({ client, topicFilter }) =>
      check({ client, action: 'subscribe', topic: topicFilter }),
    close: file.close,
  };
}
