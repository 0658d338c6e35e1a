import type { CommunicationIdentityClient, TokenScope } from '@azure/communication-identity';
import type { InvocationContext } from '@azure/functions';

import { NotFoundError } from '../errors';
import { describeError } from '../logging';
import { LruCache } from '../lru';
import type { IdentityRepository, Owner } from '../storage/identity-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import type { ActingTokens } from './acting-tokens';

export interface IssuedToken {
  acsUserId: string;
  token: string;
  expiresOn: Date;
}

interface Creation {
  acsUserId: string;
  /** Only the caller that created the identity gets the token minted with it. */
  token?: { value: string; expiresOn: Date; forRequest: TokenRequest };
}

export interface TokenRequest {
  scopes: TokenScope[];
  expiresInMinutes: number;
}

/**
 * App user ⇄ ACS identity. Each app user (and the service identity) maps to exactly one ACS identity, created
 * on first use with one ACS call. Concurrent first calls in one instance share one creation; across instances
 * the forward-row insert in Tables decides, and a loser deletes the identity it created, so no orphan remains.
 * Lookups are cached per instance; correctness never depends on the caches.
 */
export class IdentityService {
  private readonly forward = new LruCache<string, string>(20_000);
  private readonly reverse = new LruCache<string, string>(20_000);
  private readonly creations = new Map<string, Promise<Creation>>();

  constructor(
    private readonly repository: IdentityRepository,
    private readonly client: CommunicationIdentityClient,
    private readonly actingTokens: ActingTokens,
  ) {}

  /** A token for the caller's own ACS identity: exactly one ACS call, whether or not the identity existed. */
  async issueToken(userId: string, request: TokenRequest, context?: InvocationContext): Promise<IssuedToken> {
    try {
      return await this.issueTokenOnce(userId, request, context);
    } catch (error) {
      // The identity this instance remembers was deleted meanwhile (the user was erased elsewhere, and has signed in
      // again): forget it, and look again in Tables, where a new user finds no mapping and gets a new identity.
      if (!(error instanceof NotFoundError) || !this.forgetUser(userId)) throw error;
      return this.issueTokenOnce(userId, request, context);
    }
  }

  /** Forgets what this instance remembers of a user's identity; true when it remembered one. */
  forgetUser(userId: string): boolean {
    const key = cacheKey({ kind: 'user', userId });
    const acsUserId = this.forward.get(key);
    if (acsUserId === undefined) return false;
    this.forward.delete(key);
    this.reverse.delete(acsUserId);
    this.actingTokens.forget(acsUserId);
    return true;
  }

  private async issueTokenOnce(
    userId: string,
    request: TokenRequest,
    context?: InvocationContext,
  ): Promise<IssuedToken> {
    const owner: Owner = { kind: 'user', userId };
    const known = await this.lookup(owner);
    const creation = known ? { acsUserId: known } : await this.create(owner, request, context);
    if (creation.token && creation.token.forRequest === request) {
      return { acsUserId: creation.acsUserId, token: creation.token.value, expiresOn: creation.token.expiresOn };
    }
    try {
      const minted = await this.client.getToken({ communicationUserId: creation.acsUserId }, request.scopes, {
        tokenExpiresInMinutes: request.expiresInMinutes,
      });
      return { acsUserId: creation.acsUserId, token: minted.token, expiresOn: minted.expiresOn };
    } catch (error) {
      throw fromUpstream(error);
    }
  }

  /** The ACS identity of an app user, created (without a token) if the user has never been seen. */
  async acsUserIdFor(userId: string, context?: InvocationContext): Promise<string> {
    const owner: Owner = { kind: 'user', userId };
    return (await this.lookup(owner)) ?? (await this.create(owner, undefined, context)).acsUserId;
  }

  /** The ACS identity of an app user if they have one; never creates. */
  findAcsUserId(userId: string): Promise<string | undefined> {
    return this.lookup({ kind: 'user', userId });
  }

  /** The ACS identity that creates and manages every thread. */
  async serviceAcsUserId(context?: InvocationContext): Promise<string> {
    const owner: Owner = { kind: 'service' };
    return (await this.lookup(owner)) ?? (await this.create(owner, undefined, context)).acsUserId;
  }

  /** The app user behind an ACS identity, if it is one of ours. */
  async userIdFor(acsUserId: string): Promise<string | undefined> {
    const cached = this.reverse.get(acsUserId);
    if (cached !== undefined) return cached;
    const userId = await this.repository.findUserId(acsUserId).catch(rethrowAs(fromUpstream));
    if (userId !== undefined) this.reverse.set(acsUserId, userId);
    return userId;
  }

  /** Revokes every ACS token of the caller (including the backend's own cached ones). */
  async revokeTokens(userId: string): Promise<void> {
    const acsUserId = await this.lookup({ kind: 'user', userId });
    if (!acsUserId) return;
    try {
      await this.client.revokeTokens({ communicationUserId: acsUserId });
    } catch (error) {
      throw fromUpstream(error);
    } finally {
      this.actingTokens.forget(acsUserId);
    }
  }

  private async lookup(owner: Owner): Promise<string | undefined> {
    const key = cacheKey(owner);
    const cached = this.forward.get(key);
    if (cached !== undefined) return cached;
    const acsUserId = await this.repository.findAcsUserId(owner).catch(rethrowAs(fromUpstream));
    if (acsUserId !== undefined) this.remember(owner, acsUserId);
    return acsUserId;
  }

  private create(owner: Owner, request: TokenRequest | undefined, context?: InvocationContext): Promise<Creation> {
    const key = cacheKey(owner);
    // A caller whose lookup missed while a creation for this owner was finishing: that one is the owner's identity.
    const created = this.forward.get(key);
    if (created !== undefined) return Promise.resolve({ acsUserId: created });
    let creation = this.creations.get(key);
    if (!creation) {
      creation = this.createUnshared(owner, request, context).finally(() => this.creations.delete(key));
      this.creations.set(key, creation);
    }
    return creation;
  }

  private async createUnshared(
    owner: Owner,
    request: TokenRequest | undefined,
    context?: InvocationContext,
  ): Promise<Creation> {
    let created: Creation;
    try {
      if (request) {
        const result = await this.client.createUserAndToken(request.scopes, {
          tokenExpiresInMinutes: request.expiresInMinutes,
        });
        created = {
          acsUserId: result.user.communicationUserId,
          token: { value: result.token, expiresOn: result.expiresOn, forRequest: request },
        };
      } else {
        created = { acsUserId: (await this.client.createUser()).communicationUserId };
      }
    } catch (error) {
      throw fromUpstream(error);
    }

    let outcome: 'recorded' | 'lost';
    try {
      outcome = await this.repository.record(owner, created.acsUserId);
    } catch (error) {
      await this.deleteOrphan(created.acsUserId, context);
      throw fromUpstream(error);
    }
    if (outcome === 'recorded') {
      this.remember(owner, created.acsUserId);
      context?.log('acs identity created', { owner: owner.kind });
      return created;
    }
    // Another instance mapped this owner first: keep theirs, remove ours.
    await this.deleteOrphan(created.acsUserId, context);
    const winner = await this.repository.findAcsUserId(owner).catch(rethrowAs(fromUpstream));
    if (!winner) throw fromUpstream(new Error('identity mapping vanished during creation'));
    this.remember(owner, winner);
    return { acsUserId: winner };
  }

  /**
   * Removes an identity that lost a race or could not be recorded: the ACS identity first (it does not need Tables,
   * which may be the very thing that failed), then its reverse row, each on its own, so one failure never keeps the
   * other from happening. A reverse row left behind maps an identity nobody uses and is harmless.
   */
  private async deleteOrphan(acsUserId: string, context?: InvocationContext): Promise<void> {
    await this.client
      .deleteUser({ communicationUserId: acsUserId })
      .catch((error: unknown) =>
        context?.warn('could not delete an unused acs identity', { acsUserId, error: describeError(error) }),
      );
    await this.repository
      .discard(acsUserId)
      .catch((error: unknown) =>
        context?.warn('could not remove the record of an unused acs identity', { error: describeError(error) }),
      );
  }

  private remember(owner: Owner, acsUserId: string): void {
    this.forward.set(cacheKey(owner), acsUserId);
    if (owner.kind === 'user') this.reverse.set(acsUserId, owner.userId);
  }
}

function cacheKey(owner: Owner): string {
  return owner.kind === 'service' ? '\u0000service' : `u:${owner.userId}`;
}
