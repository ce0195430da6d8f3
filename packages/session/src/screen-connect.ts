import { ReasonCode } from '@mqttkit/codec';
import type { Connect, Packet } from '@mqttkit/codec';
import { validateTopicName } from '@mqttkit/topics';
import { rejectConnect } from './reject-connect.js';
import type { SessionAction } from './session-action.js';
import type { SessionCapabilities } from './session-capabilities.js';

/** What `screenConnect` found wrong with the first packet of a connection. */
export interface ConnectProblem {
  readonly reasonCode: number;
  readonly message: string;
  readonly statement?: string;
}

/** The outcome of `screenConnect`: the CONNECT to authenticate, or the actions that refuse it. */
export type ConnectScreening =
  | { readonly accepted: true; readonly connect: Connect }
  | { readonly accepted: false; readonly problem: ConnectProblem; readonly actions: SessionAction[] };

/**
 * Checks the first packet of a connection before any session exists and before the broker runs
 * its authentication hooks: it must be a CONNECT [MQTT-3.1.0-1] whose client identifier, will and
 * limits the server's capabilities allow.
 */
export function screenConnect(packet: Packet, capabilities: SessionCapabilities): ConnectScreening {
  if (packet.type !== 'connect') {
    const problem = {
      reasonCode: ReasonCode.ProtocolError,
      message: `The first packet was ${packet.type.toUpperCase()}, not CONNECT`,
      statement: 'MQTT-3.1.0-1',
    };
    return {
      accepted: false,
      problem,
      actions: [{ type: 'disconnect', sendDisconnect: false, ...problem }],
    };
  }
  const problem = connectProblem(packet, capabilities);
  if (problem === undefined) {
    return { accepted: true, connect: packet };
  }
  return { accepted: false, problem, actions: rejectConnect(packet, problem.reasonCode) };
}

/** The reason to refuse a CONNECT on the server's capabilities alone, or undefined. */
export function connectProblem(
  connect: Connect,
  capabilities: SessionCapabilities,
): ConnectProblem | undefined {
  const version = connect.protocolVersion;
  if (version !== 3 && version !== 4 && version !== 5) {
    return {
      reasonCode: ReasonCode.UnsupportedProtocolVersion,
      message: `Protocol version ${String(version)} is not supported`,
      statement: 'MQTT-3.1.2-2',
    };
  }
  if (connect.clientId === '') {
    if (version < 5 && !connect.clean) {
      return {
        reasonCode: ReasonCode.ClientIdentifierNotValid,
        message: 'An empty client identifier needs a clean session',
        statement: 'MQTT-3.1.3-8',
      };
    }
    if (!capabilities.allowEmptyClientId) {
      return {
        reasonCode: ReasonCode.ClientIdentifierNotValid,
        message: 'An empty client identifier is not allowed',
      };
    }
  }
  const properties = connect.properties;
  if (properties?.receiveMaximum === 0 || properties?.maximumPacketSize === 0) {
    return {
      reasonCode: ReasonCode.ProtocolError,
      message: 'Receive Maximum and Maximum Packet Size must not be 0',
    };
  }
  const will = connect.will;
  if (will === undefined) {
    return undefined;
  }
  const topicProblem = validateTopicName(will.topic);
  if (topicProblem !== undefined) {
    return {
      reasonCode: ReasonCode.TopicNameInvalid,
      message: `Will topic: ${topicProblem.message}`,
      ...(topicProblem.statement === undefined ? {} : { statement: topicProblem.statement }),
    };
  }
  if (will.qos > capabilities.maximumQoS) {
    return {
      reasonCode: ReasonCode.QoSNotSupported,
      message: `Will QoS ${will.qos} is above the server's maximum QoS ${capabilities.maximumQoS}`,
      statement: 'MQTT-3.2.2-12',
    };
  }
  if (will.retain && !capabilities.retainAvailable) {
    return {
      reasonCode: ReasonCode.RetainNotSupported,
      message: 'Retained wills are not supported',
      statement: 'MQTT-3.2.2-13',
    };
  }
  return undefined;
}
