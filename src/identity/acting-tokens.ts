import type { CommunicationTokenCredential } from '@azure/communication-common';
import type { CommunicationIdentityClient } from '@azure/communication-identity';
import type { AccessToken } from '@azure/core-auth';

import { UpstreamError } from '../errors';
import { LruCache } from '../lru';
import { isStatus } from '../storage/errors';

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

  constructor(
    private readonly mint: () => Promise<AccessToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async getToken(): Promise<AccessToken> {
    if (this.current && this.current.expiresOnTimestamp - RENEW_BEFORE_MS > this.now()) return this.current;
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

/** What the backend may do when it acts as an identity: `chat.join.limited` for everyday calls as a user, `chat`
 * for creating, updating and deleting threads (as their owner) and for the service identity. */
export type ActingScope = 'chat.join.limited' | 'chat';

/**
 * Why the backend acts as an identity: on that user's own request (checked by the minting guard: a banned user's
 * identity gets no new token), or as a backend task on someone else's behalf (an owner or moderator deleting a
 * user's message, pruning deleting a thread as its owner), which a ban must not stop.
 */
export type ActingFor = 'userRequest' | 'backendTask';

/**
 * Per-instance cache of acting credentials, one per identity and scope. These tokens never leave the backend:
 * clients only ever get the scopes configuration allows them.
 */
export class ActingTokens {
  private readonly credentials = new LruCache<string, ActingCredential>(5_000);

  /**
   * `guard` runs before a token is minted for a user's own request, and throws to refuse it (bans: see
   * BanService.assertMayActAs). Minting is rare (a token lives a day; a revocation forces a new one), so the guard may
   * read Tables without adding a round trip to ordinary requests.
   */
  constructor(
    private readonly identityClient: CommunicationIdentityClient,
    private readonly now: () => number = Date.now,
    private readonly guard?: (acsUserId: string) => Promise<void>,
  ) {}

  forIdentity(acsUserId: string, scope: ActingScope, actingFor: ActingFor = 'userRequest'): ActingCredential {
    return this.credentialFor(acsUserId, [scope], actingFor);
  }

  /** Forget a revoked identity's tokens. */
  forget(acsUserId: string): void {
    for (const scope of ['chat.join.limited', 'chat'] satisfies ActingScope[])
      for (const actingFor of ['userRequest', 'backendTask'] satisfies ActingFor[])
        this.credentials.delete(`${actingFor}|${scope}|${acsUserId}`);
  }

  private credentialFor(acsUserId: string, scopes: [ActingScope], actingFor: ActingFor): ActingCredential {
    const key = `${actingFor}|${scopes[0]}|${acsUserId}`;
    const cached = this.credentials.get(key);
    if (cached) return cached;
    const credential = new ActingCredential(async () => {
      if (actingFor === 'userRequest') await this.guard?.(acsUserId);
      const minted = await this.identityClient
        .getToken({ communicationUserId: acsUserId }, scopes, { tokenExpiresInMinutes: LIFETIME_MINUTES })
        .catch((error: unknown) => {
          throw unusableIdentity(error);
        });
      return { token: minted.token, expiresOnTimestamp: minted.expiresOn.getTime() };
    }, this.now);
    this.credentials.set(key, credential);
    return credential;
  }
}

/**
 * ACS refusing to issue a token for an identity the backend acts as (401: another ACS resource's; 404: deleted) is
 * not a status of the chat call that needed the token: passed on as is, a 404 would read as "thread gone" (pruning
 * would drop the records of live threads) and a 401 as an expired token. It becomes a plain upstream failure.
 */
function unusableIdentity(error: unknown): unknown {
  if (!isStatus(error, 401, 403, 404)) return error;
  return new UpstreamError(
    'An ACS identity the backend acts as can no longer get tokens (deleted, or of another ACS resource).',
  );
}
