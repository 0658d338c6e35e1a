import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';

/**
 * HS256 JWTs as Web PubSub uses them, signed and checked with jose: the HMAC secret is the access key's UTF-8 text
 * (the SDKs pass the key string to jsonwebtoken / PyJWT as is, without base64-decoding it).
 */

export type JwtClaims = JWTPayload;

export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; reason: string };

/** Clock skew tolerated on `exp` and `nbf`. */
const LEEWAY_SECONDS = 5;

const secretOf = (accessKey: string): Uint8Array => new TextEncoder().encode(accessKey);

export function signHs256(claims: JwtClaims, accessKey: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secretOf(accessKey));
}

/** Checks the signature (HS256 only), that `exp` is there and not past, `nbf`, and that `aud` is one of `audiences`. */
export async function verifyHs256(
  token: string,
  accessKey: string,
  audiences: string[],
  nowMs: number,
): Promise<JwtCheck> {
  try {
    const { payload } = await jwtVerify(token, secretOf(accessKey), {
      algorithms: ['HS256'],
      audience: audiences,
      requiredClaims: ['exp'],
      clockTolerance: LEEWAY_SECONDS,
      currentDate: new Date(nowMs),
    });
    return { ok: true, claims: payload };
  } catch (error) {
    return { ok: false, reason: refusalReason(error) };
  }
}

function refusalReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `invalid ${error.claim} claim`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg must be HS256';
  return 'malformed token';
}

/** A claim that jsonwebtoken writes as a string or an array of strings (`role`, `webpubsub.group`). */
export function stringListClaim(claims: JwtClaims, name: string): string[] {
  const value = claims[name];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}
