import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';

import type { Mount } from './host';

/**
 * A real (if tiny) OIDC issuer for local development and tests: a discovery document and a JWKS,
 * served by the dev host under `/dev-issuer`, with an RS256 key kept under `.local/` by the dev stack.
 * The backend trusts it only because the dev stack sets AUTH_ISSUER to it.
 */

export const DEV_AUDIENCE = 'api://acs-chat-backend-dev';
export const DEV_ISSUER_PATH = '/dev-issuer';

export interface DevTokenClaims {
  name?: string;
  roles?: string[];
  /** The `email` claim (away notifications go there by default), and `email_verified` when given. */
  email?: string;
  emailVerified?: boolean;
  /** Lifetime in seconds (default 1 hour). */
  expiresInSeconds?: number;
}

export interface DevIssuer {
  issuer: string;
  audience: string;
  jwksUri: string;
  mint(userId: string, claims?: DevTokenClaims): Promise<string>;
  /** Signs arbitrary claims with the issuer's key (tests use it to forge near-miss tokens). */
  signClaims(payload: JWTPayload, kid?: string): Promise<string>;
  kid: string;
  mount: Mount;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
}

/** Loads the signing key from `keyFile`, creating it on first use; with no file, the key lives in memory. */
export async function loadOrCreateSigningKey(keyFile?: string): Promise<StoredKey> {
  if (keyFile) {
    try {
      return JSON.parse(await fs.readFile(keyFile, 'utf8')) as StoredKey;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const stored: StoredKey = { kid: randomUUID(), privateJwk: await exportJWK(privateKey) };
  if (keyFile) {
    await fs.mkdir(path.dirname(keyFile), { recursive: true });
    await fs.writeFile(keyFile, JSON.stringify(stored), { mode: 0o600 });
  }
  return stored;
}

export async function signDevToken(
  key: StoredKey,
  issuer: string,
  audience: string,
  userId: string,
  claims: DevTokenClaims = {},
): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  const jwt = new SignJWT({
    ...(claims.name ? { name: claims.name } : {}),
    ...(claims.roles && claims.roles.length > 0 ? { roles: claims.roles } : {}),
    ...(claims.email ? { email: claims.email } : {}),
    ...(claims.emailVerified !== undefined ? { email_verified: claims.emailVerified } : {}),
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(userId)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${claims.expiresInSeconds ?? 3600}s`);
  return jwt.sign(privateKey);
}

export async function createDevIssuer(origin: string, key: StoredKey, audience = DEV_AUDIENCE): Promise<DevIssuer> {
  const issuer = `${origin}${DEV_ISSUER_PATH}`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = key.privateJwk;
  const jwks = { keys: [{ ...publicJwk, kid: key.kid, alg: 'RS256', use: 'sig' }] };
  const discovery = {
    issuer,
    jwks_uri: jwksUri,
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
  };

  const documents = new Map<string, unknown>([
    [`${DEV_ISSUER_PATH}/.well-known/openid-configuration`, discovery],
    [`${DEV_ISSUER_PATH}/.well-known/jwks.json`, jwks],
  ]);
  const mount: Mount = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const pathname = new URL(request.url ?? '/', 'http://x').pathname;
    const document = documents.get(pathname);
    if (document === undefined) return false;
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    response.end(JSON.stringify(document));
    return true;
  };

  return {
    issuer,
    audience,
    jwksUri,
    mint: (userId, claims) => signDevToken(key, issuer, audience, userId, claims),
    signClaims: async (payload, kid = key.kid) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .sign(await importJWK(key.privateJwk, 'RS256')),
    kid: key.kid,
    mount,
  };
}
