import type { InvocationContext } from '@azure/functions';

import { ForbiddenError } from '../errors';
import type { IdentityService } from '../identity/identity-service';
import type { ModerationRepository } from '../storage/moderation-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import type { AuditLog } from './audit-log';
import type { Ban, BanBody } from './moderation-schemas';

/**
 * Bans. Each instance keeps a snapshot of every ban (one partition query), refreshed at most every
 * BAN_SNAPSHOT_MS, so checking a request costs nothing on a warm instance. Correctness does not rest on that cache: a
 * ban revokes the user's ACS tokens at once, which ends their direct ACS access and every token the backend holds for
 * them; a new token for them (an ACS token from POST /api/token, or one the backend mints to act on their request)
 * is only ever made after a fresh read of their ban (assertMayActAs, assertNotBannedNow). So within the snapshot's
 * age an instance may still answer a banned user's reads of our own records (inbox), but nothing reaches ACS as them.
 */
export const BAN_SNAPSHOT_MS = 30_000;

export class BanService {
  private snapshot: { bans: Map<string, Ban>; takenAt: number; loading?: Promise<Map<string, Ban>> } | undefined;

  constructor(
    private readonly repository: ModerationRepository,
    private readonly identity: IdentityService,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
    /** Ends the user's live connections (so their open pages learn of the ban at once). */
    private readonly disconnect?: (userId: string, context?: InvocationContext) => Promise<void>,
  ) {}

  /** Throws 403 UserBanned while `userId` is banned. */
  async assertNotBanned(userId: string): Promise<void> {
    this.refuseIfActive((await this.current()).get(userId));
  }

  private refuseIfActive(ban: Ban | undefined): void {
    if (ban && (!ban.until || Date.parse(ban.until) > this.now()))
      throw new ForbiddenError(
        ban.bannedBy === 'system'
          ? ban.reason
          : `You are banned${ban.until ? ` until ${ban.until}` : ''}: ${ban.reason}`,
        'UserBanned',
      );
  }

  /** Like assertNotBanned, from a fresh read (before an ACS token is issued to the user). */
  async assertNotBannedNow(userId: string): Promise<void> {
    const ban = await this.repository.getBan(userId).catch(rethrowAs(fromUpstream));
    this.refuseIfActive(ban);
  }

  /** The guard of acting tokens (ActingTokens): refuses to act as a banned user's identity, from a fresh read. */
  async assertMayActAs(acsUserId: string): Promise<void> {
    const userId = await this.identity.userIdFor(acsUserId);
    if (userId !== undefined) await this.assertNotBannedNow(userId);
  }

  async ban(adminUserId: string, userId: string, body: BanBody, context?: InvocationContext): Promise<Ban> {
    const ban: Ban = {
      userId,
      reason: body.reason,
      bannedBy: adminUserId,
      bannedOn: new Date(this.now()).toISOString(),
      ...(body.until ? { until: new Date(body.until).toISOString() } : {}),
    };
    await this.repository.putBan(ban).catch(rethrowAs(fromUpstream));
    this.snapshot = undefined;
    // Ends their direct ACS access now; a user who never signed in has no tokens to revoke.
    await this.identity.revokeTokens(userId);
    await this.disconnect?.(userId, context);
    await this.audit.record(
      { action: 'ban', actor: adminUserId, subject: userId, reason: body.reason, ...untilDetails(ban) },
      context,
    );
    return ban;
  }

  /**
   * Shuts a user out without a moderation decision (their erasure is running): a ban row by `system`, not audited,
   * with the same effects as a ban. Whoever shuts out deletes the row.
   */
  async shutOut(userId: string, reason: string, context?: InvocationContext): Promise<void> {
    await this.repository
      .putBan({ userId, reason, bannedBy: 'system', bannedOn: new Date(this.now()).toISOString() })
      .catch(rethrowAs(fromUpstream));
    this.snapshot = undefined;
    await this.identity.revokeTokens(userId);
    await this.disconnect?.(userId, context);
  }

  /** False when there was no ban. */
  async unban(adminUserId: string, userId: string, context?: InvocationContext): Promise<boolean> {
    const lifted = await this.repository.deleteBan(userId).catch(rethrowAs(fromUpstream));
    this.snapshot = undefined;
    if (lifted) await this.audit.record({ action: 'unban', actor: adminUserId, subject: userId }, context);
    return lifted;
  }

  async list(): Promise<Ban[]> {
    const bans = await this.repository.bans().catch(rethrowAs(fromUpstream));
    return bans.sort((a, b) => a.bannedOn.localeCompare(b.bannedOn));
  }

  private async current(): Promise<Map<string, Ban>> {
    const snapshot = this.snapshot;
    if (snapshot && this.now() - snapshot.takenAt < BAN_SNAPSHOT_MS) return snapshot.bans;
    if (snapshot?.loading) return snapshot.loading;
    const loading = this.repository
      .bans()
      .then((bans) => new Map(bans.map((ban): [string, Ban] => [ban.userId, ban])))
      .catch(rethrowAs(fromUpstream));
    this.snapshot = { bans: snapshot?.bans ?? new Map<string, Ban>(), takenAt: snapshot?.takenAt ?? 0, loading };
    try {
      const bans = await loading;
      this.snapshot = { bans, takenAt: this.now() };
      return bans;
    } catch (error) {
      this.snapshot = snapshot;
      throw error;
    }
  }
}

function untilDetails(ban: Ban): { details?: Record<string, string> } {
  return ban.until ? { details: { until: ban.until } } : {};
}
