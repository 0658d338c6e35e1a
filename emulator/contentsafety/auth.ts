import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { entraTokenAccepted } from '../common/entra';
import { accessDenied } from './errors';

/**
 * The two ways the contract's securityDefinitions allow: the resource key in `Ocp-Apim-Subscription-Key`, or a
 * Microsoft Entra bearer token for `https://cognitiveservices.azure.com/.default`, accepted as
 * `common/entra.ts` says (well-formed, the Cognitive Services audience, in date; the signature is not checked).
 * Anything else is 401.
 */

export const COGNITIVE_SERVICES_AUDIENCE = 'https://cognitiveservices.azure.com';

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws 401 unless the request carries the key or an acceptable bearer token. */
export function authenticate(headers: IncomingHttpHeaders, key: string, nowMs: number): void {
  const given = headers['ocp-apim-subscription-key'];
  if (typeof given === 'string') {
    if (sameSecret(given, key)) return;
    throw accessDenied();
  }
  const authorization = headers.authorization;
  if (
    authorization &&
    /^bearer /i.test(authorization) &&
    entraTokenAccepted(authorization.slice(7).trim(), [COGNITIVE_SERVICES_AUDIENCE], nowMs)
  )
    return;
  throw accessDenied();
}
