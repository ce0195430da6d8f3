import type { Hook, Logger } from '@mqttkit/contracts';

/** Options of `allowAll`. */
export interface AllowAllOptions {
  /** Receives the one warning. Default `console`. */
  readonly logger?: Pick<Logger, 'warn'>;
  /** Hook name. Default `allow-all`. */
  readonly name?: string;
}

/**
 * Allows every connection, publish and subscription: for development only. Warns once, when
 * created, so that it cannot go unnoticed in a log.
 */
export function allowAll(options: AllowAllOptions = {}): Hook {
  const name = options.name ?? 'allow-all';
  (options.logger ?? console).warn(
    `${name}: every client may connect, publish and subscribe; do not use in production`,
  );
  const decision = { allow: true, reason: 'allow-all is configured' } as const;
  return {
    name,
    authenticate: () => decision,
    authorizePublish: () => decision,
    authorizeSubscribe: () => decision,
  };
}
