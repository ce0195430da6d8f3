export { runAuthProviderConformance } from './run-auth-provider-conformance.js';
export {
  createClientInfo,
  createAuthenticateContext,
  createPublishContext,
  createSubscribeContext,
} from './create-contexts.js';
export type { AuthProviderConformanceOptions, AuthorizationCase } from './run-auth-provider-conformance.js';
export type { TestCredentials, TestAuthenticationRound, TestPublish } from './create-contexts.js';
export { runStoreConformance } from './run-store-conformance.js';
export {
  allByteValues,
  createStoredMessage,
  createStoredWill,
  createStoredOutboundRecord,
  createStoredSession,
} from './store-fixtures.js';
export type { StoreConformanceOptions } from './run-store-conformance.js';
