import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { decodeJwt, decodeProtectedHeader } from 'jose';

import { accessDenied } from './errors';

/**
 * The two ways the contract's securityDefinitions allow: the resource key in `Ocp-Apim-Subscription-Key`, or a
 * Microsoft Entra bearer token for `https://cognitiveservices.azure.com/.default`. Like Azurite, the emulator cannot
 * check an Entra signature (it has no tenant): it takes any well-formed JWT whose `aud` is the Cognitive Services
 * audience and whose `exp`/`nbf` hold. Anything else is 401.
 */

export const COGNITIVE_SERVICES_AUDIENCE = 'https://cognitiveservices.azure.com';
/** Clock skew allowed on `exp` and `nbf`, as Entra's own validators default to. */
const SKEW_SECONDS = 300;

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearerOk(token: string, nowMs: number): boolean {
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== 'string' || header.alg === 'none') return false;
    const claims = decodeJwt(token);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((aud) => aud === COGNITIVE_SERVICES_AUDIENCE || aud === `${COGNITIVE_SERVICES_AUDIENCE}/`))
      return false;
    const now = nowMs / 1000;
    if (typeof claims.exp !== 'number' || claims.exp + SKEW_SECONDS <= now) return false;
    return claims.nbf === undefined || claims.nbf - SKEW_SECONDS <= now;
  } catch {
    return false;
  }
}

/** Throws 401 unless the request carries the key or an acceptable bearer token. */
export function authenticate(headers: IncomingHttpHeaders, key: string, nowMs: number): void {
  const given = headers['ocp-apim-subscription-key'];
  if (typeof given === 'string') {
    if (sameSecret(given, key)) return;
    throw accessDenied();
  }
  const authorization = headers.authorization;
  if (authorization && /^bearer /i.test(authorization) && bearerOk(authorization.slice(7).trim(), nowMs)) return;
  throw accessDenied();
}
