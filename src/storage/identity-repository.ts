import type { TableClient } from '@azure/data-tables';

import { isConflict, isNotFound } from './errors';
import { userKey } from './keys';

/**
 * The app user ⇄ ACS identity map. Every row is its own partition (no hot partition):
 *  forward `u:<base64url(userId)>` → acsUserId, reverse `a:<acsUserId>` → userId.
 * The service identity is the forward row of a reserved key that no user id can encode to.
 */
const ROW = 'map';
const SERVICE_PARTITION = 'service';

interface ForwardRow {
  partitionKey: string;
  rowKey: string;
  acsUserId: string;
}
interface ReverseRow {
  partitionKey: string;
  rowKey: string;
  userId: string;
}

export type Owner = { kind: 'user'; userId: string } | { kind: 'service' };

export class IdentityRepository {
  constructor(private readonly table: TableClient) {}

  /** One Tables read. */
  async findAcsUserId(owner: Owner): Promise<string | undefined> {
    try {
      const row = await this.table.getEntity<ForwardRow>(forwardKey(owner), ROW, {
        queryOptions: { select: ['acsUserId'] },
      });
      return row.acsUserId;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** One Tables read. */
  async findUserId(acsUserId: string): Promise<string | undefined> {
    try {
      const row = await this.table.getEntity<ReverseRow>(reverseKey(acsUserId), ROW, {
        queryOptions: { select: ['userId'] },
      });
      return row.userId;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records a freshly created ACS identity: two Tables writes. The reverse row goes first (its key is new, so it
   * cannot conflict); the forward insert is the arbiter of a race. Returns 'lost' when another caller mapped
   * this owner first; the caller must then discard its ACS identity (see discard).
   */
  async record(owner: Owner, acsUserId: string): Promise<'recorded' | 'lost'> {
    if (owner.kind === 'user') {
      await this.table.upsertEntity<ReverseRow>(
        { partitionKey: reverseKey(acsUserId), rowKey: ROW, userId: owner.userId },
        'Replace',
      );
    }
    try {
      await this.table.createEntity<ForwardRow>({ partitionKey: forwardKey(owner), rowKey: ROW, acsUserId });
      return 'recorded';
    } catch (error) {
      if (isConflict(error)) return 'lost';
      throw error;
    }
  }

  /** Removes the reverse row of an ACS identity that lost a race. */
  async discard(acsUserId: string): Promise<void> {
    try {
      await this.table.deleteEntity(reverseKey(acsUserId), ROW);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** Erasure: removes a user's forward and reverse rows (each absent one is fine). */
export async function forgetUserRows(table: TableClient, userId: string, acsUserId: string | undefined): Promise<void> {
  const keys = [forwardKey({ kind: 'user', userId }), ...(acsUserId ? [reverseKey(acsUserId)] : [])];
  for (const key of keys) {
    try {
      await table.deleteEntity(key, ROW);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function forwardKey(owner: Owner): string {
  return owner.kind === 'service' ? SERVICE_PARTITION : `u:${userKey(owner.userId)}`;
}

function reverseKey(acsUserId: string): string {
  return `a:${acsUserId}`;
}
