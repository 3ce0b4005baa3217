import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

type History = proto.temporal.api.history.v1.IHistory;

/** The history exactly as the server stores and serves it: its protobuf bytes, no codec applied. */
export function historyBytes(history: History): Uint8Array {
  return proto.temporal.api.history.v1.History.encode(history).finish();
}

/**
 * Every Payload in a history, wherever an event keeps it (inputs, results, signal and update
 * arguments, markers, failures' encoded attributes, headers, memo), as stored.
 */
export function historyPayloads(node: unknown, out: Payload[] = []): Payload[] {
  if (Array.isArray(node)) for (const item of node) historyPayloads(item, out);
  else if (node && typeof node === 'object' && !(node instanceof Uint8Array)) {
    const { metadata } = node as { metadata?: Record<string, unknown> };
    if (metadata && typeof metadata === 'object' && metadata.encoding instanceof Uint8Array) {
      out.push(node as Payload);
      return out;
    }
    for (const value of Object.values(node)) historyPayloads(value, out);
  }
  return out;
}

/** Payloads decoded by `codecs` as a client would (last codec first), each on its own. */
export async function decodePayloads(payloads: Payload[], codecs: PayloadCodec[]): Promise<Payload[]> {
  const decoded: Payload[] = [];
  for (const payload of payloads) {
    let current = [payload];
    for (const codec of [...codecs].reverse()) current = await codec.decode(current);
    decoded.push(...current);
  }
  return decoded;
}

/** A payload's bytes: its data and every metadata value. */
export function payloadBytes(payload: Payload): Uint8Array[] {
  return [payload.data ?? new Uint8Array(), ...Object.values(payload.metadata ?? {})];
}
