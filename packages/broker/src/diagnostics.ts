import { channel } from 'node:diagnostics_channel';

// Observability through node:diagnostics_channel (STYLE HS-19): free when nobody subscribes.
// The channel names and payload types below are the whole promise.

/** `mqtt:client:connect`: `{ client, sessionPresent }` after CONNACK 0x00. */
export const clientConnectChannel = channel('mqtt:client:connect');
/** `mqtt:client:disconnect`: `{ client, error? }` when a connected client's connection closed. */
export const clientDisconnectChannel = channel('mqtt:client:disconnect');
/** `mqtt:publish:receive`: `{ client, message }` for each application message a client published. */
export const publishReceiveChannel = channel('mqtt:publish:receive');
/** `mqtt:publish:deliver`: `{ clientId, message, qos }` for each message handed to a subscriber's session. */
export const publishDeliverChannel = channel('mqtt:publish:deliver');
/** `mqtt:error`: `{ error, clientId? }` for failures the broker survived. */
export const errorChannel = channel('mqtt:error');
