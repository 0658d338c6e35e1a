import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HS256 JWTs as Web PubSub uses them: the HMAC secret is the access key's UTF-8 text (the SDKs pass the key string
 * to jsonwebtoken / PyJWT as is, without base64-decoding it).
 */

export type JwtClaims = Record<string, unknown>;

export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; reason: string };

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export function signHs256(claims: JwtClaims, accessKey: string): string {
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', accessKey).update(signingInput).digest();
  return `${signingInput}.${base64url(signature)}`;
}

function parseJsonObject(segment: string): JwtClaims | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** Checks signature, `exp`/`nbf` (no leeway beyond 5 s) and that `aud` is one of `audiences`. */
export function verifyHs256(token: string, accessKey: string, audiences: string[], nowMs: number): JwtCheck {
  const [headerPart, payloadPart, signaturePart, ...rest] = token.split('.');
  if (headerPart === undefined || payloadPart === undefined || signaturePart === undefined || rest.length > 0) {
    return { ok: false, reason: 'malformed token' };
  }
  const header = parseJsonObject(headerPart);
  if (header?.['alg'] !== 'HS256') return { ok: false, reason: 'alg must be HS256' };
  const expected = createHmac('sha256', accessKey).update(`${headerPart}.${payloadPart}`).digest();
  const actual = Buffer.from(signaturePart, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'invalid signature' };
  }
  const claims = parseJsonObject(payloadPart);
  if (!claims) return { ok: false, reason: 'malformed payload' };
  const nowSeconds = nowMs / 1000;
  const leewaySeconds = 5;
  const exp = claims['exp'];
  if (typeof exp !== 'number' || exp + leewaySeconds < nowSeconds) return { ok: false, reason: 'token expired' };
  const nbf = claims['nbf'];
  if (typeof nbf === 'number' && nbf - leewaySeconds > nowSeconds) return { ok: false, reason: 'token not yet valid' };
  const aud = claims['aud'];
  const tokenAudiences = Array.isArray(aud) ? aud : [aud];
  if (!tokenAudiences.some((value) => typeof value === 'string' && audiences.includes(value))) {
    return { ok: false, reason: 'invalid audience' };
  }
  return { ok: true, claims };
}

/** A claim that jsonwebtoken writes as a string or an array of strings (`role`, `webpubsub.group`). */
export function stringListClaim(claims: JwtClaims, name: string): string[] {
  const value = claims[name];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}
