import type { ChatEvent } from '../../src/events/chat-event-schemas';
import { ChatEventService, OrphanCheckDeferred } from '../../src/events/chat-event-service';
import type { ThreadRecord, ThreadRepository } from '../../src/storage/thread-repository';

/**
 * The orphan clean-up's decisions on ChatThreadCreated (chatEvents), with our records and ACS stood in for: a thread
 * without a record is deleted only once the grace period is over and a second look still finds no record.
 */

const SERVICE = '8:acs:r_service';
const GRACE_MS = 300_000;
const CREATED_ON = Date.parse('2026-01-01T00:00:00Z');
const THREAD_ID = '19:acsV1_orphan@thread.v2';

const created: ChatEvent = {
  id: 'e1',
  eventType: 'Microsoft.Communication.ChatThreadCreated',
  kind: 'threadCreated',
  threadId: THREAD_ID,
  createdOn: new Date(CREATED_ON),
  participantIds: ['8:acs:r_owner', SERVICE],
};

const record: ThreadRecord = {
  threadId: THREAD_ID,
  ownerUserId: 'owner',
  createdOn: new Date(CREATED_ON),
  lastActivityOn: new Date(CREATED_ON),
  indexedActivityOn: new Date(CREATED_ON),
};

/** A service whose record reads answer `reads` in turn, at `ageMs` after the thread's creation. */
function serviceWith(reads: Array<ThreadRecord | undefined>, ageMs: number) {
  const get = jest.fn(async () => reads.shift());
  const deleteThread = jest.fn(async () => undefined);
  const service = new ChatEventService(
    { get } as unknown as ThreadRepository,
    { now: () => CREATED_ON + ageMs },
    { serviceAcsUserId: async () => SERVICE, exists: async () => true, deleteThread, graceMs: GRACE_MS },
  );
  return { service, get, deleteThread };
}

describe('orphan clean-up on ChatThreadCreated', () => {
  it('keeps a thread whose record exists, after one read', async () => {
    const { service, get, deleteThread } = serviceWith([record], 1_000);
    expect(await service.handle(created)).toBe('known');
    expect([get.mock.calls.length, deleteThread.mock.calls.length]).toEqual([1, 0]);
  });

  it('asks for the event again while a thread without a record is within its grace period', async () => {
    const { service, deleteThread } = serviceWith([undefined], GRACE_MS - 1);
    await expect(service.handle(created)).rejects.toBeInstanceOf(OrphanCheckDeferred);
    expect(deleteThread).not.toHaveBeenCalled();
  });

  it('keeps a thread whose record arrived just after the first read, once the grace period is over', async () => {
    const { service, get, deleteThread } = serviceWith([undefined, record], GRACE_MS);
    expect(await service.handle(created)).toBe('known');
    expect([get.mock.calls.length, deleteThread.mock.calls.length]).toEqual([2, 0]);
  });

  it('deletes a thread still without a record after the grace period', async () => {
    const { service, deleteThread } = serviceWith([undefined, undefined], GRACE_MS);
    expect(await service.handle(created)).toBe('orphanDeleted');
    expect(deleteThread).toHaveBeenCalledWith(THREAD_ID);
  });
});
