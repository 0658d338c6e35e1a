import {
  createRemoteJWKSet,
  errors as joseErrors,
  type FlattenedJWSInput,
  type JWTHeaderParameters,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import * as z from 'zod';

import type { AppConfig } from '../config';
import { AuthenticationError, ServiceUnavailableError } from '../errors';
import { LruCache } from '../lru';

/** The authenticated caller, as the rest of the backend sees it. */
export interface Caller {
  /** The app user id: the token's `sub`. */
  userId: string;
  displayName?: string;
  roles: string[];
  isAdmin: boolean;
  /**
   * The token's `email` claim when it looks like an address and is not marked unverified (`email_verified: false`):
   * where away notifications go unless the user set another address.
   */
  email?: string;
}

/** Asymmetric algorithms only: never `none`, never HMAC (which would let a public key act as a shared secret). */
export const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const CLOCK_SKEW_SECONDS = 60;
const MAX_USER_ID_LENGTH = 256;
/** Verified tokens remembered per instance (a client repeats its token on every call until it expires). */
const VERIFIED_TOKENS = 5_000;

/** A token that passed jwtVerify, and the key that verified its signature. */
interface Verified {
  payload: JWTPayload;
  header: JWTHeaderParameters;
  input: FlattenedJWSInput;
  key: Awaited<ReturnType<JWTVerifyGetKey>>;
  /** jose refuses the token from this moment on (exp plus the clock tolerance), in ms. */
  refusedFrom: number;
}

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

export type Authenticator = (authorization: string | null) => Promise<Caller>;

/**
 * Verifies `Authorization: Bearer <JWT>` against the configured issuer, audience and JWKS
 * (from AUTH_JWKS_URI or OpenID discovery). jose caches the keys and refetches them on an unknown `kid`.
 */
export interface AuthenticatorOptions {
  /** Minimum time between two JWKS refetches triggered by an unknown `kid` (default 30 s). */
  jwksCooldownMs?: number;
}

export function createAuthenticator(auth: AppConfig['auth'], options: AuthenticatorOptions = {}): Authenticator {
  const cooldownDuration = options.jwksCooldownMs ?? 30_000;
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const keys = (): Promise<JWTVerifyGetKey> => {
    keySet ??= resolveJwksUri(auth)
      .then((uri) =>
        createRemoteJWKSet(new URL(uri), { cooldownDuration, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 }),
      )
      .catch((error: unknown) => {
        keySet = undefined; // try discovery again on the next request
        throw error;
      });
    return keySet;
  };

  // The signature check (WebCrypto, on the thread pool) was the largest per-request cost in a profile under load. A
  // repeated token skips only that check, and only while the key set still hands out the very key that verified it:
  // the signed text is the same, so is the result. The claims are fixed by that text (issuer, audience, subject were
  // checked on the first use); the one that changes with time, expiry, is checked on every use.
  const verified = new LruCache<string, Verified>(VERIFIED_TOKENS);
  const reuse = async (token: string, resolveKey: JWTVerifyGetKey): Promise<JWTPayload | undefined> => {
    const known = verified.get(token);
    if (!known) return undefined;
    let key: Verified['key'] | undefined;
    try {
      key = Date.now() < known.refusedFrom ? await resolveKey(known.header, known.input) : undefined;
    } catch {
      key = undefined; // the key is gone from the key set: verify afresh (and be refused)
    }
    if (key !== undefined && key === known.key) return known.payload;
    verified.delete(token);
    return undefined;
  };

  return async (authorization) => {
    const token = bearerToken(authorization);
    let payload: JWTPayload;
    try {
      const resolveKey = await keys();
      const reused = await reuse(token, resolveKey);
      if (reused) return toCaller(reused, auth);
      let used: Omit<Verified, 'payload' | 'refusedFrom'> | undefined;
      ({ payload } = await jwtVerify(
        token,
        async (header, input) => {
          const key = await resolveKey(header, input);
          used = { header, input, key };
          return key;
        },
        {
          issuer: auth.issuer,
          audience: auth.audiences,
          algorithms: ALLOWED_ALGORITHMS,
          clockTolerance: CLOCK_SKEW_SECONDS,
          requiredClaims: ['exp'],
        },
      ));
      if (used && typeof payload.exp === 'number') {
        verified.set(token, { ...used, payload, refusedFrom: (payload.exp + CLOCK_SKEW_SECONDS) * 1000 });
      }
    } catch (error) {
      throw toAuthError(error);
    }
    return toCaller(payload, auth);
  };
}

function bearerToken(authorization: string | null): string {
  if (!authorization) throw new AuthenticationError('A bearer token is required.');
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)$/i.exec(authorization.trim());
  if (!match?.[1]) throw new AuthenticationError('The Authorization header must be "Bearer <token>".');
  return match[1];
}

function toCaller(payload: JWTPayload, auth: AppConfig['auth']): Caller {
  const userId = payload.sub;
  if (
    typeof userId !== 'string' ||
    userId.trim() === '' ||
    userId.length > MAX_USER_ID_LENGTH ||
    /\p{Cc}/u.test(userId)
  ) {
    throw new AuthenticationError('The token has no usable subject (sub).');
  }
  const rolesClaim = payload[auth.rolesClaim];
  const roles = Array.isArray(rolesClaim)
    ? rolesClaim.filter((role): role is string => typeof role === 'string')
    : typeof rolesClaim === 'string'
      ? rolesClaim.split(' ')
      : [];
  const name =
    typeof payload.name === 'string' && payload.name.trim() !== '' ? payload.name.trim().slice(0, 256) : undefined;
  const email =
    typeof payload.email === 'string' &&
    payload.email_verified !== false &&
    payload.email.length <= 254 &&
    /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/.test(payload.email)
      ? payload.email
      : undefined;
  return {
    userId,
    ...(name ? { displayName: name } : {}),
    roles,
    isAdmin: roles.includes(auth.adminRole),
    ...(email ? { email } : {}),
  };
}

function toAuthError(error: unknown): Error {
  if (error instanceof ServiceUnavailableError) return error;
  if (error instanceof joseErrors.JWKSTimeout || (error instanceof TypeError && /fetch/i.test(error.message))) {
    return new ServiceUnavailableError('The identity provider could not be reached to verify the token.', 5);
  }
  if (error instanceof joseErrors.JWTExpired) return new AuthenticationError('The token has expired.');
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return new AuthenticationError(`The token's ${error.claim} claim is not accepted.`);
  return new AuthenticationError('The token is not valid.');
}

async function resolveJwksUri(auth: AppConfig['auth']): Promise<string> {
  if (auth.jwksUri) return auth.jwksUri;
  const url = `${auth.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  } catch {
    throw new ServiceUnavailableError('The identity provider could not be reached to verify the token.', 5);
  }
  const parsed = discoverySchema.safeParse(response.ok ? await response.json().catch(() => undefined) : undefined);
  if (!parsed.success)
    throw new ServiceUnavailableError('The identity provider published no usable OpenID configuration.', 30);
  if (parsed.data.issuer !== auth.issuer) {
    throw new ServiceUnavailableError('The identity provider announced a different issuer than configured.', 30);
  }
  return parsed.data.jwks_uri;
}
