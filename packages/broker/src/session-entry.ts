import type { Session } from '@mqttkit/session';
import type { ClientConnection } from './client-connection.js';
import type { Scheduled } from './scheduler.js';

/** A session known to the broker, with its connection while one is attached. */
export interface SessionEntry extends Scheduled {
  readonly clientId: string;
  readonly session: Session;
  connection: ClientConnection | undefined;
}
