import { createHash } from 'node:crypto';

import { BACKEND_METADATA_PREFIX } from '../attachments/attachment-schemas';

/* Idempotency-Key support shared by thread creation and message sending. */

/**
 * The message metadata entry that carries a send's repeatability id into ACS, so a retry can find a message whose
 * first attempt timed out after ACS stored it. Never shown to clients.
 */
export const IDEMPOTENCY_METADATA_KEY = `${BACKEND_METADATA_PREFIX}repeatabilityId`;

/** A stable hash of a request body (object keys sorted), to tell a replay from a different request. */
export function hashOf(body: unknown): string {
  const canonical = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([key, inner]) => [key, canonical(inner)]),
        )
      : Array.isArray(value)
        ? value.map(canonical)
        : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('base64url');
}

/**
 * ACS repeatability ids are UUIDs; derive one from the caller and their Idempotency-Key so keys never collide across
 * users.
 */
export function repeatabilityId(userId: string, idempotencyKey: string): string {
  const hash = createHash('sha256').update(`${userId}\n${idempotencyKey}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
