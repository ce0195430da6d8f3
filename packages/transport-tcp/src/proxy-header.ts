import type { Socket } from 'node:net';
import {
  IPv4ProxyAddress,
  IPv6ProxyAddress,
  ProxyProtocolIdentifier,
  ProxyProtocolVersion,
  V1ProxyProtocol,
  V2ProxyProtocol,
  Command,
} from 'proxy-protocol-js';

/** The original client address a PROXY protocol header carried. */
export interface ProxiedAddress {
  readonly address: string;
  readonly port: number;
}

/** What was read from the socket: the address, if any, and the bytes after the header. */
export interface ProxyHeader {
  /** Undefined for a `LOCAL` (v2) or `UNKNOWN` (v1) header: the connection is the proxy's own. */
  readonly source: ProxiedAddress | undefined;
  /** Bytes the client sent after the header, which belong to the next protocol layer. */
  readonly rest: Buffer;
}

const v2Signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const v1Prefix = Buffer.from('PROXY ');
// v1 headers are at most 107 bytes including CRLF; v2 headers 16 bytes plus a 16-bit length.
const v1MaximumLength = 107;
const v2FixedLength = 16;

/** Why a PROXY header was refused; the connection is closed without an MQTT answer. */
export class ProxyHeaderError extends Error {
  override readonly name = 'ProxyHeaderError';
}

/** Returns the header's total length once `data` holds a whole header, 0 if more bytes are needed. */
function headerLength(data: Buffer): number {
  const compared = Math.min(data.length, v2Signature.length);
  if (data.subarray(0, compared).equals(v2Signature.subarray(0, compared))) {
    if (data.length < v2FixedLength) return 0;
    const total = v2FixedLength + data.readUInt16BE(14);
    return data.length >= total ? total : 0;
  }
  const prefix = Math.min(data.length, v1Prefix.length);
  if (!data.subarray(0, prefix).equals(v1Prefix.subarray(0, prefix))) {
    throw new ProxyHeaderError('connection does not start with a PROXY protocol header');
  }
  const end = data.indexOf('\r\n');
  if (end === -1) {
    if (data.length >= v1MaximumLength) throw new ProxyHeaderError('PROXY v1 header longer than 107 bytes');
    return 0;
  }
  return end + 2;
}

function formatIPv6(bytes: readonly number[]): string {
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2)
    groups.push(((bytes[index]! << 8) | bytes[index + 1]!).toString(16));
  // The URL parser prints IPv6 addresses in their canonical compressed form (RFC 5952).
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

function parse(header: Buffer): ProxiedAddress | undefined {
  if (ProxyProtocolIdentifier.identify(header) === ProxyProtocolVersion.V2) {
    const proxy = V2ProxyProtocol.parse(header);
    if (proxy.command === Command.LOCAL) return undefined;
    const address = proxy.proxyAddress;
    if (address instanceof IPv4ProxyAddress) {
      return { address: address.sourceAddress.address.join('.'), port: address.sourcePort };
    }
    if (address instanceof IPv6ProxyAddress) {
      return { address: formatIPv6(address.sourceAddress.address), port: address.sourcePort };
    }
    return undefined;
  }
  const proxy = V1ProxyProtocol.parse(header.toString('latin1'));
  if (proxy.inetProtocol === 'UNKNOWN') return undefined;
  return { address: proxy.source.ipAddress, port: proxy.source.port };
}

/**
 * Reads a PROXY protocol v1 or v2 header from the start of `socket` (HAProxy's specification).
 * Resolves with the original client address and the bytes that followed the header; rejects when
 * the connection does not start with a valid header or none completes within `timeout` ms.
 */
export function readProxyHeader(socket: Socket, timeout: number): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, header?: ProxyHeader): void => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('error', finish);
      if (error) reject(error);
      else resolve(header!);
    };
    const onEnd = (): void => finish(new ProxyHeaderError('connection ended before the PROXY header'));
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
        try {
          const length = headerLength(received);
          if (length === 0) continue;
          const source = parse(received.subarray(0, length));
          finish(undefined, { source, rest: received.subarray(length) });
        } catch (error) {
          finish(
            error instanceof ProxyHeaderError
              ? error
              : new ProxyHeaderError(`invalid PROXY header: ${String((error as Error).message ?? error)}`),
          );
        }
        return;
      }
    };
    const timer = setTimeout(
      () => finish(new ProxyHeaderError(`no PROXY header within ${timeout} ms`)),
      timeout,
    );
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('error', finish);
  });
}
