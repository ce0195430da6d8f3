export { createBroker } from './broker.js';
export { createBrokerCapabilities, defaultBrokerCapabilities } from './broker-capabilities.js';
export { roundRobin } from './router.js';
export type { Broker, BrokerOptions, InternalPublish } from './broker.js';
export type { BrokerCapabilities, BrokerCapabilitiesInput } from './broker-capabilities.js';
export type { BrokerStatistics, BrokerStatisticsView } from './broker-statistics.js';
export type { SharedSubscriptionStrategy } from './router.js';
