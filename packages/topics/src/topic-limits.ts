/** Limits every topic name and topic filter obeys ([MQTT-4.7.3-3]). */
export const TopicLimits = {
  /** The most UTF-8 bytes a topic name or topic filter may encode to. */
  maximumBytes: 65_535,
} as const;
