// A hook may deny with any failure reason code (0x80 and above), but each packet that carries the
// refusal defines only some of them: a code the packet does not define goes out as 0x87 Not
// authorized, which is what a refusal by a hook is (the codec would refuse to encode it).
import { ReasonCode } from '@mqttkit/codec';

const failureCodes = (codes: readonly number[]): ReadonlySet<number> => new Set(codes);

/** The failure codes of DISCONNECT (spec 3.14.2.1) [MQTT-3.14.2-1]. */
const disconnectFailureCodes = failureCodes([
  0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
  0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
]);
/** The failure codes of PUBACK and PUBREC (spec 3.4.2.1, 3.5.2.1) [MQTT-3.4.2-1] [MQTT-3.5.2-1]. */
const publishResponseFailureCodes = failureCodes([0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
/** The failure codes of SUBACK (spec 3.9.3) [MQTT-3.9.3-2]. */
const subackFailureCodes = failureCodes([0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]);

const within = (codes: ReadonlySet<number>, reasonCode: number): number =>
  codes.has(reasonCode) ? reasonCode : ReasonCode.NotAuthorized;

/** The DISCONNECT reason code for a refused re-authentication. */
export const disconnectDenyCode = (reasonCode: number): number => within(disconnectFailureCodes, reasonCode);
/** The PUBACK/PUBREC reason code for a refused PUBLISH. */
export const publishDenyCode = (reasonCode: number): number =>
  within(publishResponseFailureCodes, reasonCode);
/** The SUBACK reason code for a refused subscription. */
export const subscribeDenyCode = (reasonCode: number): number => within(subackFailureCodes, reasonCode);
