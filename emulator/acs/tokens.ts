import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

import { jwtVerify, SignJWT } from 'jose';

/**
 * ACS-shaped user access tokens (RS256 JWTs) signed with the emulator's own key.
 * Claims follow real ACS tokens: skypeid, scp, csi, exp, rgn, acsScope, resourceId, resourceLocation, iat.
 */

export const TOKEN_SCOPES = ['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface AcsTokenClaims {
  skypeid: string;
  scp: number;
  csi: string;
  exp: number;
  rgn: string;
  acsScope: string;
  resourceId: string;
  resourceLocation: string;
  iat: number;
}

export interface VerifiedToken {
  userId: string;
  scopes: ReadonlySet<string>;
  iat: number;
  exp: number;
}

const CACHE_LIMIT = 20_000;

export class TokenService {
  readonly privateKeyPem: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;
  private readonly x5t: string;
  /** Signature checks are cached per token string; expiry, revocation and deletion are checked on every call. */
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly resourceId: string,
    privateKeyPem?: string,
    private readonly location = 'unitedstates',
  ) {
    this.privateKeyPem =
      privateKeyPem ??
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
    this.privateKey = createPrivateKey(this.privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    const spki = this.publicKey.export({ type: 'spki', format: 'der' });
    const thumb = createHash('sha1').update(spki).digest();
    this.kid = thumb.toString('hex').toUpperCase();
    this.x5t = thumb.toString('base64url');
  }

  /** `iatSeconds` may be forced forward so that a token issued right after a revocation is not revoked with it. */
  async issue(
    userId: string,
    scopes: readonly string[],
    expiresInMinutes: number,
    iatSeconds: number,
  ): Promise<{ token: string; expiresOn: Date }> {
    const exp = iatSeconds + expiresInMinutes * 60;
    const claims: AcsTokenClaims = {
      skypeid: userId.startsWith('8:') ? userId.slice(2) : userId,
      scp: 1792,
      csi: String(iatSeconds),
      exp,
      rgn: 'amer',
      acsScope: [...new Set(scopes)].join(','),
      resourceId: this.resourceId,
      resourceLocation: this.location,
      iat: iatSeconds,
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, x5t: this.x5t, typ: 'JWT' })
      .sign(this.privateKey);
    return { token, expiresOn: new Date(exp * 1000) };
  }

  /** Checks the signature and shape (not expiry: the caller compares `exp` with the emulator clock). */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    const hit = this.verified.get(token);
    if (hit) return hit;
    let payload: Record<string, unknown>;
    try {
      // Expiry is checked against the emulator clock by the caller, so give jose a huge tolerance here.
      ({ payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['RS256'],
        clockTolerance: 10 * 365 * 86_400,
      }));
    } catch {
      return undefined;
    }
    const { skypeid, acsScope, iat, exp, resourceId } = payload;
    if (
      typeof skypeid !== 'string' ||
      typeof acsScope !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number'
    )
      return undefined;
    if (resourceId !== this.resourceId) return undefined;
    const result: VerifiedToken = { userId: `8:${skypeid}`, scopes: new Set(acsScope.split(',')), iat, exp };
    if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
    this.verified.set(token, result);
    return result;
  }
}
