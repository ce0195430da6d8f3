import type { Hook } from '@mqttkit/contracts';

export interface SubscriptionWatcher {
  /** Add to the broker's hooks. */
  readonly hook: Hook;
  /** Resolves once the client with `clientId` got a SUBACK: an external process is ready to receive. */
  subscribed(clientId: string): Promise<void>;
}

/** Tells a test when a client it cannot observe (a child process) has subscribed. */
export function watchSubscriptions(): SubscriptionWatcher {
  const done = new Set<string>();
  const waiters = new Map<string, () => void>();
  return {
    hook: {
      name: 'watch-subscriptions',
      onSubscribed: ({ client }) => {
        done.add(client.clientId);
        waiters.get(client.clientId)?.();
      },
    },
    subscribed: (clientId) =>
      done.has(clientId) ? Promise.resolve() : new Promise((resolve) => waiters.set(clientId, resolve)),
  };
}
