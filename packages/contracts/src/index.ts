// Re-exported so that plugins, which depend on contracts only, can name reason codes.
export { ReasonCode } from '@mqttkit/codec';
export { TransportKind } from './client-info.js';
export { toClientCertificate } from './client-certificate.js';
export { DecisionOutcome } from './decision.js';
export { AuthenticationExchange } from './authenticate-context.js';
export { defineHook, drop, DropReason } from './hook.js';
export { isDecision, isAuthenticationDecision } from './is-decision.js';
export { normalizeDecision } from './normalize-decision.js';
export type { ClientInfo, ClientCertificate } from './client-info.js';
export type {
  FailureReasonCode,
  DecisionExplanation,
  AllowDecision,
  DenyDecision,
  DeferDecision,
  Decision,
  NormalizedDecision,
} from './decision.js';
export type {
  AuthenticateContext,
  AuthenticationAllowDecision,
  ContinueAuthenticationDecision,
  AuthenticationDecision,
} from './authenticate-context.js';
export type { AuthorizePublishContext, AuthorizeSubscribeContext } from './authorize-context.js';
export type { Logger } from './logger.js';
export type {
  MaybePromise,
  Drop,
  Hook,
  HookInitContext,
  PublishContext,
  ClientConnectedContext,
  SubscribedContext,
  UnsubscribedContext,
  PublishedContext,
  MessageDroppedContext,
  ClientDisconnectedContext,
} from './hook.js';
export type { ConnectionInfo, ConnectionHandler, TransportAddress, Transport } from './transport.js';
export { StoreClosedError } from './store-closed-error.js';
export type { Store } from './store.js';
export type { StoredMessage, StoredMessageProperties } from './stored-message.js';
export type {
  StoredSession,
  StoredSubscription,
  StoredOutboundRecord,
  StoredOutboundPhase,
} from './stored-session.js';
export type { StoredSessionChange } from './stored-session-change.js';
