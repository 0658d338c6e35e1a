import type { CommunicationIdentifier, CommunicationIdentifierKind } from '@azure/communication-common';
import type { InvocationContext } from '@azure/functions';
import * as z from 'zod';

import type { IdentityService } from '../identity/identity-service';

/** A person as the API names them: the app user id (null when the identity is not one of ours) and the ACS user id. */
export const personSchema = z.object({ userId: z.string().nullable(), acsUserId: z.string() }).meta({ id: 'Person' });
export type Person = z.infer<typeof personSchema>;

/** Resolves an ACS user id to a person; undefined for the service identity, which is never shown. */
export type Lookup = (acsUserId: string | undefined) => Person | undefined;

/** Translates between ACS identities and app user ids, and hides the backend's own identity. */
export class PeopleDirectory {
  constructor(private readonly identity: IdentityService) {}

  /** One (cached) reverse lookup per distinct identity, then a synchronous lookup function. */
  async lookup(acsUserIds: Array<string | undefined>, context?: InvocationContext): Promise<Lookup> {
    const serviceAcsUserId = await this.identity.serviceAcsUserId(context);
    const distinct = [...new Set(acsUserIds.filter((id): id is string => id !== undefined && id !== serviceAcsUserId))];
    const userIds = new Map(
      await Promise.all(distinct.map(async (id) => [id, (await this.identity.userIdFor(id)) ?? null] as const)),
    );
    return (acsUserId) => {
      if (acsUserId === undefined || acsUserId === serviceAcsUserId) return undefined;
      return { userId: userIds.get(acsUserId) ?? null, acsUserId };
    };
  }

  /** The ACS identity of an app user, created on demand. */
  acsUserIdFor(userId: string, context?: InvocationContext): Promise<string> {
    return this.identity.acsUserIdFor(userId, context);
  }

  /** The ACS identity of an app user, if they ever had one. */
  findAcsUserId(userId: string): Promise<string | undefined> {
    return this.identity.findAcsUserId(userId);
  }

  /** Those of `userIds` who have no ACS identity yet (one cached lookup each; creates nothing). */
  async unknownUserIds(userIds: string[]): Promise<string[]> {
    const known = await Promise.all(userIds.map((userId) => this.identity.findAcsUserId(userId)));
    return userIds.filter((_, index) => known[index] === undefined);
  }

  /** The backend's own ACS identity, a participant of every thread it manages. */
  serviceAcsUserId(context?: InvocationContext): Promise<string> {
    return this.identity.serviceAcsUserId(context);
  }
}

export function rawId(
  identifier: CommunicationIdentifierKind | CommunicationIdentifier | undefined,
): string | undefined {
  if (!identifier) return undefined;
  if ('communicationUserId' in identifier && typeof identifier.communicationUserId === 'string')
    return identifier.communicationUserId;
  if ('rawId' in identifier && typeof identifier.rawId === 'string') return identifier.rawId;
  return undefined;
}
