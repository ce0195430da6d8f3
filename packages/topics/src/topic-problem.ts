/**
 * What is wrong with a topic name or topic filter, and where. Statement ids use the MQTT 5.0
 * numbering; the 4.7.3 statements and MQTT-3.3.2-2 carry the same ids in MQTT 3.1.1.
 */
export interface TopicProblem {
  /** `ReasonCode.TopicNameInvalid` (0x90) for names, `ReasonCode.TopicFilterInvalid` (0x8F) for filters. */
  readonly reasonCode: number;
  /** A sentence for logs and for the MQTT 5 reason string. */
  readonly message: string;
  /** The normative statement that was broken, such as `MQTT-4.7.1-1`. */
  readonly statement?: string;
  /** The UTF-16 index in the string where the problem starts. */
  readonly index?: number;
}
