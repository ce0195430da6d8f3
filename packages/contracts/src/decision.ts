import type { ReasonCode } from '@mqttkit/codec';

/** A reason code that reports a failure (0x80 and above), the only codes a hook may deny with. */
export type FailureReasonCode = Extract<
  ReasonCode,
  | 0x80
  | 0x81
  | 0x82
  | 0x83
  | 0x84
  | 0x85
  | 0x86
  | 0x87
  | 0x88
  | 0x89
  | 0x8a
  | 0x8b
  | 0x8c
  | 0x8d
  | 0x8e
  | 0x8f
  | 0x90
  | 0x91
  | 0x92
  | 0x93
  | 0x94
  | 0x95
  | 0x96
  | 0x97
  | 0x98
  | 0x99
  | 0x9a
  | 0x9b
  | 0x9c
  | 0x9d
  | 0x9e
  | 0x9f
  | 0xa0
  | 0xa1
  | 0xa2
>;

/** Explanation carried by the object forms of a decision, for logs and "explain" tools. */
export interface DecisionExplanation {
  /**
   * Human-readable account of the rule that decided, e.g. `acl line 12: user alice topic read
   * sensors/#`. For logs and operators only: the broker never sends it to the client, so it may
   * name users and rules.
   */
  readonly reason?: string;
  /**
   * The provider that decided, e.g. `password-file`. The broker fills in the hook's `name` when
   * absent; combinators such as `chain()` fill in the inner hook's name.
   */
  readonly decidedBy?: string;
}

/** Object form of "allow", with an explanation. */
export interface AllowDecision extends DecisionExplanation {
  /** Always `true`: the request is allowed. */
  readonly allow: true;
}

/** Deny the request with a failure reason code (for example 0x86 or 0x87). */
export interface DenyDecision extends DecisionExplanation {
  /** The reason code the broker reports to the client (mapped for MQTT 3.1.1 where needed). */
  readonly deny: FailureReasonCode;
}

/** Object form of "defer", with an explanation of why the hook has no opinion. */
export interface DeferDecision extends DecisionExplanation {
  /** Always `true`: leave the decision to the next hook. */
  readonly defer: true;
}

/**
 * The answer of a decision method (`authenticate`, `authorizePublish`, `authorizeSubscribe`).
 * Hooks run in order and the first answer other than defer wins; when every hook defers the
 * broker denies (STYLE HS-18). `'allow'` and `'defer'` are shorthands of the object forms.
 */
export type Decision = 'allow' | 'defer' | AllowDecision | DenyDecision | DeferDecision;

/** The outcome of any decision once shorthands are expanded. */
export const DecisionOutcome = {
  /** The request is allowed. */
  allow: 'allow',
  /** The request is refused with a reason code. */
  deny: 'deny',
  /** The hook has no opinion; the next hook decides. */
  defer: 'defer',
  /** MQTT 5 enhanced authentication needs another AUTH round. */
  continue: 'continue',
} as const;
export type DecisionOutcome = (typeof DecisionOutcome)[keyof typeof DecisionOutcome];

/** A decision in one shape: what a runner logs and what "explain" reports. */
export interface NormalizedDecision {
  /** What was decided. */
  readonly outcome: DecisionOutcome;
  /** 0x00 for allow, 0x18 for continue, the deny code for deny, absent for defer. */
  readonly reasonCode?: number;
  /** The explanation given by the hook, if any. */
  readonly reason?: string;
  /** The provider that decided: the decision's own `decidedBy`, else the hook name passed in. */
  readonly decidedBy: string;
}
