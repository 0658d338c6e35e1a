import type { UpdateChatThreadPropertiesOptions } from '@azure/communication-chat';

import { all, statusOf, useEmulator } from './helpers';
import { sentBody, withNulls } from './merge-patch';

const env = useEmulator();

describe('Chat threads through the official SDK', () => {
  it('creates a thread (201): 19:…@thread.v2 id, creator is a participant with full history', async () => {
    const { newUser, emu } = env();
    const alice = await newUser();
    const bob = await newUser();
    const res = await alice.chat.createChatThread(
      { topic: 'Lunch' },
      {
        participants: [{ id: { communicationUserId: bob.id }, displayName: 'Bob' }],
        metadata: { k: 'v' },
        retentionPolicy: { kind: 'none' },
      },
    );
    const thread = res.chatThread;
    expect(thread?.id).toMatch(/^19:acsV1_[a-z2-7]+@thread\.v2$/);
    expect(thread).toMatchObject({
      topic: 'Lunch',
      createdBy: { communicationUserId: alice.id },
      metadata: { k: 'v' },
      retentionPolicy: { kind: 'none' },
    });
    expect(res.invalidParticipants).toBeUndefined();
    const participants = await all(alice.thread(thread?.id ?? '').listParticipants());
    expect(participants.map((p) => (p.id as { communicationUserId: string }).communicationUserId).sort()).toEqual(
      [alice.id, bob.id].sort(),
    );
    expect(
      participants
        .find((p) => (p.id as { communicationUserId: string }).communicationUserId === alice.id)
        ?.shareHistoryTime?.toISOString(),
    ).toBe('1970-01-01T00:00:00.000Z');
    const messages = await all(alice.thread(thread?.id ?? '').listMessages());
    expect(messages.map((m) => m.type).sort()).toEqual(['participantAdded', 'topicUpdated']);
    expect(emu.control.getThread(thread?.id ?? '')?.participantCount).toBe(2);
  });

  it('reports unknown identities as invalidParticipants with the thread still created', async () => {
    const { newUser, emu } = env();
    const alice = await newUser();
    const ghost = `8:acs:${emu.resourceId}_00000000-0000-0000-0000-000000000000`;
    const res = await alice.chat.createChatThread(
      { topic: 'T' },
      { participants: [{ id: { communicationUserId: ghost } }] },
    );
    expect(res.chatThread?.id).toBeDefined();
    expect(res.invalidParticipants).toEqual([{ target: ghost, code: '403', message: 'Permissions check failed' }]);
  });

  it('is idempotent on repeatability-request-id per caller', async () => {
    const { newUser } = env();
    const alice = await newUser();
    const bob = await newUser();
    const a1 = await alice.chat.createChatThread({ topic: 'Once' }, { idempotencyToken: 'key-1' });
    const a2 = await alice.chat.createChatThread({ topic: 'Once' }, { idempotencyToken: 'key-1' });
    const b1 = await bob.chat.createChatThread({ topic: 'Once' }, { idempotencyToken: 'key-1' });
    const a3 = await alice.chat.createChatThread({ topic: 'Once' });
    expect(a2.chatThread?.id).toBe(a1.chatThread?.id);
    expect(b1.chatThread?.id).not.toBe(a1.chatThread?.id);
    expect(a3.chatThread?.id).not.toBe(a1.chatThread?.id);
  });

  it('gets, updates topic/metadata/retention (204) and records a topicUpdated message', async () => {
    const { newUser } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'Old' });
    const tc = alice.thread(chatThread?.id ?? '');
    await tc.updateTopic('New');
    await tc.updateProperties({
      metadata: { a: '1' },
      retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 40 },
    });
    const props = await tc.getProperties();
    expect(props).toMatchObject({
      topic: 'New',
      metadata: { a: '1' },
      retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 40 },
    });
    const topics = (await all(tc.listMessages())).filter((m) => m.type === 'topicUpdated').map((m) => m.content?.topic);
    expect(topics).toEqual(['New', 'Old']);
  });

  it('reports a thread created without a retention policy as kind none, as ACS does', async () => {
    const { newUser } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'No policy' });
    expect(chatThread?.retentionPolicy).toEqual({ kind: 'none' });
    expect((await alice.thread(chatThread?.id ?? '').getProperties()).retentionPolicy).toEqual({ kind: 'none' });
  });

  it('removes the retention policy on "retentionPolicy": null (merge patch): kind none, the deletion never comes', async () => {
    const { newUser, emu } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread(
      { topic: 'Kept' },
      { metadata: { a: '1' }, retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 30 } },
    );
    const id = chatThread?.id ?? '';
    const tc = alice.thread(id);
    const body = await sentBody((options) =>
      tc.updateProperties({ ...withNulls<UpdateChatThreadPropertiesOptions>({ retentionPolicy: null }), ...options }),
    );
    expect(body).toBe('{"retentionPolicy":null}');
    expect(await tc.getProperties()).toMatchObject({
      topic: 'Kept',
      metadata: { a: '1' },
      retentionPolicy: { kind: 'none' },
    });
    emu.control.advanceClock(31 * 86_400_000);
    try {
      // alice's 24 h token has expired; a fresh non-participant gets 403 (the thread exists), not 404 (gone)
      const fresh = await newUser();
      expect(await statusOf(fresh.thread(id).getProperties())).toBe(403);
      expect(emu.control.getThread(id)?.deleted).toBe(false);
    } finally {
      emu.control.resetClock();
    }
  });

  it('removes thread metadata on "metadata": null and leaves what the patch does not name', async () => {
    const { newUser } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread(
      { topic: 'Meta' },
      { metadata: { a: '1' }, retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 45 } },
    );
    const tc = alice.thread(chatThread?.id ?? '');
    await tc.updateTopic('Meta 2');
    expect((await tc.getProperties()).metadata).toEqual({ a: '1' });
    const body = await sentBody((options) =>
      tc.updateProperties({ ...withNulls<UpdateChatThreadPropertiesOptions>({ metadata: null }), ...options }),
    );
    expect(body).toBe('{"metadata":null}');
    const props = await tc.getProperties();
    expect(props.metadata).toBeUndefined();
    expect(props).toMatchObject({
      topic: 'Meta 2',
      retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 45 },
    });
  });

  it('validates bodies: missing topic, bad retention policy, metadata over 1 KB give 400', async () => {
    const { newUser } = env();
    const alice = await newUser();
    expect(await statusOf(alice.chat.createChatThread({ topic: '' }))).toBe(400);
    expect(
      await statusOf(
        alice.chat.createChatThread(
          { topic: 'x' },
          { retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 500 } },
        ),
      ),
    ).toBe(400);
    expect(await statusOf(alice.chat.createChatThread({ topic: 'x' }, { metadata: { big: 'x'.repeat(1100) } }))).toBe(
      400,
    );
  });

  it('deletes a thread (204): gone (404) for every participant, absent from lists', async () => {
    const { newUser, emu } = env();
    const alice = await newUser();
    const bob = await newUser();
    const { chatThread } = await alice.chat.createChatThread(
      { topic: 'Doomed' },
      { participants: [{ id: { communicationUserId: bob.id } }] },
    );
    const id = chatThread?.id ?? '';
    await alice.chat.deleteChatThread(id);
    expect(await statusOf(alice.thread(id).getProperties())).toBe(404);
    expect(await statusOf(bob.thread(id).sendMessage({ content: 'hi' }))).toBe(404);
    expect(await statusOf(alice.chat.deleteChatThread(id))).toBe(404);
    expect((await all(bob.chat.listChatThreads())).map((t) => t.id)).not.toContain(id);
    expect(emu.control.listThreads().find((t) => t.id === id)?.deleted).toBe(true);
  });

  it('applies a threadCreationDate retention policy once its days have passed (emulator clock)', async () => {
    const { newUser, emu } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread(
      { topic: 'Short-lived' },
      { retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 30 } },
    );
    const tc = alice.thread(chatThread?.id ?? '');
    await tc.getProperties();
    emu.control.advanceClock(30 * 86_400_000);
    // alice's 24 h token has expired by now; a fresh non-participant gets 404 (gone), not 403 (exists)
    try {
      const fresh = await newUser();
      expect(await statusOf(fresh.thread(chatThread?.id ?? '').getProperties())).toBe(404);
    } finally {
      emu.control.resetClock();
    }
  });

  it('lists the caller’s threads newest activity first, with lastMessageReceivedOn, paging and startTime', async () => {
    const { newUser, emu } = env();
    const alice = await newUser();
    // Each thread gets a time of its own by construction: the emulator's clock moves a millisecond between them
    // (threads created within one millisecond have no order ACS documents).
    const ids: string[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        ids.push((await alice.chat.createChatThread({ topic: `t${i}` })).chatThread?.id ?? '');
        emu.control.advanceClock(1);
      }
      const cutoff = new Date(emu.control.now());
      await alice.thread(ids[1] ?? '').sendMessage({ content: 'bump' });
      const listed = await all(alice.chat.listChatThreads({ maxPageSize: 2 }));
      expect(listed.map((t) => t.id)).toEqual([ids[1], ids[4], ids[3], ids[2], ids[0]]);
      expect(listed.every((t) => t.lastMessageReceivedOn instanceof Date)).toBe(true);
      const pages = await all(alice.chat.listChatThreads({ maxPageSize: 2 }).byPage());
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect((await all(alice.chat.listChatThreads({ startTime: cutoff }))).map((t) => t.id)).toEqual([ids[1]]);
    } finally {
      emu.control.resetClock();
    }
  });

  it('rejects maxPageSize out of range (400)', async () => {
    const { newUser } = env();
    const alice = await newUser();
    expect(await statusOf(all(alice.chat.listChatThreads({ maxPageSize: 0 })))).toBe(400);
    expect(await statusOf(all(alice.chat.listChatThreads({ maxPageSize: 201 })))).toBe(400);
  });
});
