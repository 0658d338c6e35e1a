import type { CommunicationTokenCredential } from '@azure/communication-common';
import type { CommunicationIdentityClient, TokenScope } from '@azure/communication-identity';
import type { AccessToken } from '@azure/core-auth';

import { LruCache } from '../lru';

/** Renew this long before expiry so no call goes out with a token about to lapse. */
const RENEW_BEFORE_MS = 10 * 60_000;
const LIFETIME_MINUTES = 1440;

/**
 * A credential for the backend's own ACS calls as one identity: minted on demand, cached per instance,
 * renewed ahead of expiry. `invalidate()` drops it (after a revocation or a 401). No timers, so nothing keeps
 * the process alive.
 */
export class ActingCredential implements CommunicationTokenCredential {
  private current?: AccessToken;
  private pending?: Promise<AccessToken>;

  constructor(private readonly mint: () => Promise<AccessToken>) {}

  async getToken(): Promise<AccessToken> {
    if (this.current && this.current.expiresOnTimestamp - RENEW_BEFORE_MS > Date.now()) return this.current;
    this.pending ??= this.mint()
      .then((token) => {
        this.current = token;
        return token;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  invalidate(): void {
    this.current = undefined;
  }

  dispose(): void {
    this.current = undefined;
  }
}

/** Per-instance cache of acting credentials: users act with `chat.join.limited`, the service identity with `chat`. */
export class ActingTokens {
  private readonly credentials = new LruCache<string, ActingCredential>(5_000);

  constructor(private readonly identityClient: CommunicationIdentityClient) {}

  forUser(acsUserId: string): ActingCredential {
    return this.credentialFor(acsUserId, ['chat.join.limited']);
  }

  forService(acsUserId: string): ActingCredential {
    return this.credentialFor(acsUserId, ['chat']);
  }

  /** Forget a revoked identity's tokens. */
  forget(acsUserId: string): void {
    this.credentials.delete(acsUserId);
  }

  private credentialFor(acsUserId: string, scopes: TokenScope[]): ActingCredential {
    const cached = this.credentials.get(acsUserId);
    if (cached) return cached;
    const credential = new ActingCredential(async () => {
      const minted = await this.identityClient.getToken({ communicationUserId: acsUserId }, scopes, {
        tokenExpiresInMinutes: LIFETIME_MINUTES,
      });
      return { token: minted.token, expiresOnTimestamp: minted.expiresOn.getTime() };
    });
    this.credentials.set(acsUserId, credential);
    return credential;
  }
}
