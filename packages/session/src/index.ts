export { Session } from './session.js';
export {
  createSessionCapabilities,
  defaultSessionCapabilities,
  protocolMaximumPacketSize,
  sessionNeverExpires,
} from './session-capabilities.js';
export { screenConnect } from './screen-connect.js';
export { rejectConnect } from './reject-connect.js';
export { resolveDelivery } from './resolve-delivery.js';
export type { SessionOptions, ReceiveDecision } from './session.js';
export type { SessionCapabilities, SessionCapabilitiesInput } from './session-capabilities.js';
export type { ConnectProblem, ConnectScreening } from './screen-connect.js';
export type { ResolveDeliveryOptions } from './resolve-delivery.js';
export type { ApplicationMessage, Delivery, MessageProperties } from './application-message.js';
export type { OutboundRecord, OutboundPhase } from './outbound-record.js';
export type { SessionState, ConnectionState } from './session-state.js';
export type { SessionChange } from './session-change.js';
export type { SessionSubscription } from './session-subscription.js';
export type {
  SessionAction,
  SendAction,
  DeliverAction,
  DisconnectAction,
  PublishWillAction,
  PersistAction,
  DropAction,
  DropReason,
  SubscribeAction,
  UnsubscribeAction,
  AuthAction,
  EndAction,
} from './session-action.js';
