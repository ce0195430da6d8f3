import type { AuthenticationDecision, ClientInfo, Hook, NormalizedDecision } from '@mqttkit/contracts';
import { ReasonCode, normalizeDecision } from '@mqttkit/contracts';

/** The client a question is about; missing fields get neutral defaults (`127.0.0.1`, MQTT 5, tcp). */
export type ExplainClient = Partial<ClientInfo>;

/** A question for `explain`: may this client connect, publish to a topic, or subscribe to a filter? */
export type ExplainRequest =
  | { readonly action: 'connect'; readonly client: ExplainClient; readonly password?: string | Uint8Array }
  | {
      readonly action: 'publish';
      readonly client: ExplainClient;
      readonly topic: string;
      readonly qos?: 0 | 1 | 2;
      readonly retain?: boolean;
      readonly payload?: Uint8Array;
    }
  | { readonly action: 'subscribe'; readonly client: ExplainClient; readonly topicFilter: string };

/** The answer of `explain`. */
export interface Explanation extends NormalizedDecision {
  /** Each consulted hook's answer, in order, ending with the one that decided. */
  readonly trail: readonly NormalizedDecision[];
}

function toClientInfo(client: ExplainClient): ClientInfo {
  return {
    clientId: '',
    roles: [],
    attributes: {},
    protocolVersion: 5,
    remoteAddress: '127.0.0.1',
    remotePort: 0,
    transport: 'tcp',
    listener: 'explain',
    ...client,
  };
}

function ask(
  hook: Hook,
  request: ExplainRequest,
  client: ClientInfo,
): Promise<AuthenticationDecision> | AuthenticationDecision | undefined {
  if (request.action === 'connect') {
    if (hook.authenticate === undefined) return undefined;
    const password =
      typeof request.password === 'string' ? new TextEncoder().encode(request.password) : request.password;
    return hook.authenticate({
      client,
      ...(password === undefined ? {} : { password }),
      exchange: 'connect',
      round: 0,
      state: {},
      connect: {
        type: 'connect',
        protocolVersion: client.protocolVersion,
        clean: true,
        keepAlive: 0,
        clientId: client.clientId,
        ...(client.username === undefined ? {} : { username: client.username }),
        ...(password === undefined ? {} : { password }),
      },
    });
  }
  if (request.action === 'publish') {
    if (hook.authorizePublish === undefined) return undefined;
    const qos = request.qos ?? 0;
    const retain = request.retain ?? false;
    const payload = request.payload ?? new Uint8Array(0);
    return hook.authorizePublish({
      client,
      topic: request.topic,
      qos,
      retain,
      payload,
      will: false,
      packet: {
        type: 'publish',
        topic: request.topic,
        payload,
        qos,
        retain,
        dup: false,
        ...(qos === 0 ? {} : { packetId: 1 }),
      },
    });
  }
  if (hook.authorizeSubscribe === undefined) return undefined;
  const shared = /^\$share\/([^/]+)\/(.+)$/.exec(request.topicFilter);
  return hook.authorizeSubscribe({
    client,
    topicFilter: shared?.[2] ?? request.topicFilter,
    ...(shared?.[1] === undefined ? {} : { shareName: shared[1] }),
    subscription: {
      topicFilter: request.topicFilter,
      qos: 0,
      noLocal: false,
      retainAsPublished: false,
      retainHandling: 0,
    },
  });
}

/**
 * Answers "may this client connect / publish / subscribe?" the way the broker would: asks the
 * hooks in order, the first answer other than defer wins, and when all defer the request is
 * denied (0x87, `decidedBy: 'default'`). The result names the deciding hook and rule and lists
 * every answer on the way, for logs and the `mqttkit acl check` command.
 */
export async function explain(hooks: readonly Hook[], request: ExplainRequest): Promise<Explanation> {
  const client = toClientInfo(request.client);
  const trail: NormalizedDecision[] = [];
  for (const hook of hooks) {
    const answer = ask(hook, request, client);
    if (answer === undefined) continue;
    const decision = normalizeDecision(await answer, hook.name);
    trail.push(decision);
    if (decision.outcome !== 'defer') return { ...decision, trail };
  }
  return {
    outcome: 'deny',
    reasonCode: ReasonCode.NotAuthorized,
    reason: trail.length === 0 ? 'no hook answers this request' : 'every hook deferred',
    decidedBy: 'default',
    trail,
  };
}
