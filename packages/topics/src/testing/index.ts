export { runMatcherConformance } from './run-matcher-conformance.js';
export { matcherCases } from './matcher-cases.js';
export type {
  ConformanceMatch,
  ConformanceMatcher,
  MatcherConformanceOptions,
} from './run-matcher-conformance.js';
export type { MatcherCase } from './matcher-cases.js';
