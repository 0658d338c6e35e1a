import type { DataType, MessageSource, Payload } from './hub-state';

/**
 * The frames of `json.webpubsub.azure.v1` and `json.reliable.webpubsub.azure.v1` (see
 * emulator/contract/webpubsub/json.webpubsub.azure.v1/): what the service writes and how it reads a client's `data`.
 */

export const JSON_SUBPROTOCOL = 'json.webpubsub.azure.v1';
export const RELIABLE_JSON_SUBPROTOCOL = 'json.reliable.webpubsub.azure.v1';

/** `none` is the "simple WebSocket client": raw frames, no system messages, no acks. */
export type ClientProtocol = 'json' | 'reliable' | 'none';

export function protocolOf(subprotocol: string): ClientProtocol {
  if (subprotocol === RELIABLE_JSON_SUBPROTOCOL) return 'reliable';
  if (subprotocol === JSON_SUBPROTOCOL) return 'json';
  return 'none';
}

export function dataField(payload: Payload): unknown {
  if (payload.dataType === 'json') return JSON.parse(payload.data.toString('utf8')) as unknown;
  if (payload.dataType === 'text') return payload.data.toString('utf8');
  return payload.data.toString('base64');
}

export function messageFrame(payload: Payload, source: MessageSource, sequenceId?: number): Record<string, unknown> {
  const frame: Record<string, unknown> = { type: 'message', from: source.from };
  if (source.from === 'group') {
    if (source.fromUserId !== undefined) frame['fromUserId'] = source.fromUserId;
    frame['group'] = source.group;
  }
  frame['dataType'] = payload.dataType;
  frame['data'] = dataField(payload);
  if (sequenceId !== undefined) frame['sequenceId'] = sequenceId;
  return frame;
}

export type AckError = 'Forbidden' | 'Duplicate' | 'BadRequest' | 'NotFound' | 'InternalServerError';

export function ackFrame(ackId: number, error?: { name: AckError; message: string }): Record<string, unknown> {
  return error ? { type: 'ack', ackId, success: false, error } : { type: 'ack', ackId, success: true };
}

/** A client's `data` + `dataType` as the bytes the service forwards; undefined when they do not match. */
export function payloadFromClient(dataType: unknown, data: unknown): Payload | undefined {
  const types: DataType[] = ['json', 'text', 'binary'];
  if (typeof dataType !== 'string' || !types.includes(dataType as DataType)) return undefined;
  if (dataType === 'json') {
    return data === undefined ? undefined : { dataType, data: Buffer.from(JSON.stringify(data)) };
  }
  if (typeof data !== 'string') return undefined;
  return dataType === 'text'
    ? { dataType: 'text', data: Buffer.from(data, 'utf8') }
    : { dataType: 'binary', data: Buffer.from(data, 'base64') };
}

export interface ClientRequest {
  type: string;
  ackId?: number;
  group?: string;
  event?: string;
  dataType?: unknown;
  data?: unknown;
  noEcho?: boolean;
  sequenceId?: number;
}

export function parseClientRequest(text: string): ClientRequest | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const request = parsed as Record<string, unknown>;
    if (typeof request['type'] !== 'string') return undefined;
    return {
      type: request['type'],
      ackId: typeof request['ackId'] === 'number' ? request['ackId'] : undefined,
      group: typeof request['group'] === 'string' ? request['group'] : undefined,
      event: typeof request['event'] === 'string' ? request['event'] : undefined,
      dataType: request['dataType'],
      data: request['data'],
      noEcho: request['noEcho'] === true,
      sequenceId: typeof request['sequenceId'] === 'number' ? request['sequenceId'] : undefined,
    };
  } catch {
    return undefined;
  }
}
