/**
 * Azure Tables forbids `/ \ # ?` and control characters in keys. App user ids come from identity
 * providers and may contain anything, so they are stored base64url-encoded.
 */
export function userKey(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64url');
}

export function userIdFromKey(key: string): string {
  return Buffer.from(key, 'base64url').toString('utf8');
}

/** Escapes a value for an OData filter string literal. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
