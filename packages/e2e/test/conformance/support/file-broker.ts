// One broker per conformance file: started before the file's tests, stopped after them, and an
// end-to-end run expects that it logged no errors.
import { afterAll, beforeAll, expect } from 'vitest';
import { startBroker } from '../../support/start-broker.js';
import type { RunningBroker, StartBrokerOptions } from '../../support/start-broker.js';

/**
 * Registers `beforeAll`/`afterAll` for a broker started with `options` and returns it; its members
 * may be used from the tests and hooks on (the broker starts in `beforeAll`).
 */
export function brokerForFile(options: StartBrokerOptions = {}): RunningBroker {
  let running: RunningBroker | undefined;
  beforeAll(async () => {
    running = await startBroker(options);
  });
  afterAll(async () => {
    await running?.stop();
    expect(running?.errors).toEqual([]);
  });
  const current = (): RunningBroker => {
    if (running === undefined) throw new Error('the broker of this file starts in beforeAll');
    return running;
  };
  return {
    get broker() {
      return current().broker;
    },
    get port() {
      return current().port;
    },
    get urls() {
      return current().urls;
    },
    get errors() {
      return current().errors;
    },
    client: (clientOptions) => current().client(clientOptions),
    connect: (clientOptions) => current().connect(clientOptions),
    stop: () => current().stop(),
  };
}
