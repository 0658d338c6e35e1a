import type { UpdateMessageOptions } from '@azure/communication-chat';

import { all, raw, statusOf, useEmulator } from './helpers';
import { sentBody, withNulls } from './merge-patch';

const env = useEmulator();

async function threadWith(n = 2) {
  const { newUser } = env();
  const users = [];
  for (let i = 0; i < n; i++) users.push(await newUser());
  const [owner, ...rest] = users;
  if (!owner) throw new Error('no users');
  const { chatThread } = await owner.chat.createChatThread(
    { topic: 'Messages' },
    { participants: rest.map((u) => ({ id: { communicationUserId: u.id } })) },
  );
  const id = chatThread?.id ?? '';
  return { id, users: users.map((u) => ({ ...u, tc: u.thread(id) })) };
}

describe('Chat messages through the official SDK', () => {
  it('sends (201, numeric id) and gets a message with sender, metadata, sequenceId and version', async () => {
    const { users } = await threadWith();
    const [alice, bob] = users;
    const sent = await alice!.tc.sendMessage(
      { content: 'hello' },
      { senderDisplayName: 'Alice', metadata: { k: 'v' } },
    );
    expect(sent.id).toMatch(/^\d{13,}$/);
    const m = await bob!.tc.getMessage(sent.id);
    expect(m).toMatchObject({
      id: sent.id,
      type: 'text',
      version: sent.id,
      content: { message: 'hello' },
      senderDisplayName: 'Alice',
      metadata: { k: 'v' },
    });
    expect(m.sender).toMatchObject({ communicationUserId: alice!.id });
    expect(m.sequenceId).toBe('3'); // after the topicUpdated and participantAdded system messages
    const html = await alice!.tc.sendMessage({ content: '<b>x</b>' }, { type: 'html' });
    expect((await alice!.tc.getMessage(html.id)).type).toBe('html');
  });

  it('edits a message (204): editedOn set, version bumped; only the sender may edit or delete (403)', async () => {
    const { users } = await threadWith();
    const [alice, bob] = users;
    const { id } = await alice!.tc.sendMessage({ content: 'v1' });
    await alice!.tc.updateMessage(id, { content: 'v2', metadata: { e: '1' } });
    const m = await alice!.tc.getMessage(id);
    expect(m).toMatchObject({ content: { message: 'v2' }, metadata: { e: '1' } });
    expect(m.editedOn).toBeInstanceOf(Date);
    expect(Number(m.version)).toBeGreaterThan(Number(id));
    expect(await statusOf(bob!.tc.updateMessage(id, { content: 'hack' }))).toBe(403);
    expect(await statusOf(bob!.tc.deleteMessage(id))).toBe(403);
  });

  it('removes message metadata on "metadata": null (merge patch) and keeps the content', async () => {
    const { users } = await threadWith(1);
    const [alice] = users;
    const { id } = await alice!.tc.sendMessage({ content: 'keep me' }, { metadata: { k: 'v' } });
    const body = await sentBody((options) =>
      alice!.tc.updateMessage(id, { ...withNulls<UpdateMessageOptions>({ metadata: null }), ...options }),
    );
    expect(body).toBe('{"metadata":null}');
    const m = await alice!.tc.getMessage(id);
    expect(m.metadata).toBeUndefined();
    expect(m.content?.message).toBe('keep me');
    expect(m.editedOn).toBeInstanceOf(Date);
  });

  it('deletes a message (204): still listed with deletedOn and without content', async () => {
    const { users } = await threadWith();
    const [alice] = users;
    const { id } = await alice!.tc.sendMessage({ content: 'secret' });
    await alice!.tc.deleteMessage(id);
    await alice!.tc.deleteMessage(id); // idempotent
    const listed = (await all(alice!.tc.listMessages())).find((m) => m.id === id);
    expect(listed?.deletedOn).toBeInstanceOf(Date);
    expect(listed?.content?.message).toBeUndefined();
    expect(await statusOf(alice!.tc.updateMessage(id, { content: 'again' }))).toBe(404);
  });

  it('lists newest first across several pages; nextLink carries maxPageSize and api-version', async () => {
    const { users } = await threadWith();
    const [alice] = users;
    for (let i = 0; i < 7; i++) await alice!.tc.sendMessage({ content: `m${i}` });
    const pages = await all(alice!.tc.listMessages({ maxPageSize: 3 }).byPage());
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3]); // 7 texts + 2 system messages
    const texts = pages
      .flat()
      .filter((m) => m.type === 'text')
      .map((m) => m.content?.message);
    expect(texts).toEqual(['m6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']);
    const seq = pages.flat().map((m) => Number(m.sequenceId));
    expect(seq).toEqual([...seq].sort((a, b) => b - a));
    const first = env()
      .recorded.filter((r) => r.operation === 'chat.listMessages')
      .at(-3)?.body as { nextLink: string };
    const link = new URL(first.nextLink);
    expect(link.protocol).toBe('https:');
    expect(link.searchParams.get('maxPageSize')).toBe('3');
    expect(link.searchParams.get('api-version')).toBe('2025-03-15');
    expect(link.searchParams.get('syncState')).toBeTruthy();
  });

  it('filters by startTime (messages created or changed since), also on later pages', async () => {
    const { users } = await threadWith();
    const [alice] = users;
    const { emu } = env();
    try {
      const old = await alice!.tc.sendMessage({ content: 'old' });
      emu.control.advanceClock(1);
      const cutoff = new Date(emu.control.now());
      for (let i = 0; i < 3; i++) {
        await alice!.tc.sendMessage({ content: `new${i}` });
        emu.control.advanceClock(1);
      }
      const listed = await all(alice!.tc.listMessages({ startTime: cutoff, maxPageSize: 2 }));
      expect(listed.map((m) => m.content?.message)).toEqual(['new2', 'new1', 'new0']);
      await alice!.tc.updateMessage(old.id, { content: 'old-edited' });
      expect((await all(alice!.tc.listMessages({ startTime: cutoff }))).map((m) => m.id)).toContain(old.id);
    } finally {
      emu.control.resetClock();
    }
  });

  it('hides history before a participant’s shareHistoryTime', async () => {
    const { users, id } = await threadWith(1);
    const [alice] = users;
    const bob = await env().newUser();
    const early = await alice!.tc.sendMessage({ content: 'before bob' });
    const { emu } = env();
    emu.control.advanceClock(1);
    const joinTime = new Date(emu.control.now());
    emu.control.advanceClock(1);
    try {
      await alice!.tc.addParticipants({
        participants: [{ id: { communicationUserId: bob.id }, shareHistoryTime: joinTime }],
      });
      await alice!.tc.sendMessage({ content: 'after bob' });
    } finally {
      emu.control.resetClock();
    }
    const seen = await all(bob.thread(id).listMessages());
    expect(seen.map((m) => m.content?.message).filter(Boolean)).toEqual(['after bob']);
    expect(seen.map((m) => m.type)).toContain('participantAdded');
    expect(await statusOf(bob.thread(id).getMessage(early.id))).toBe(404);
  });

  it('rejects content over 28 KB (400) and accepts exactly 28 KB', async () => {
    const { users } = await threadWith(1);
    const [alice] = users;
    expect((await alice!.tc.sendMessage({ content: 'x'.repeat(28 * 1024) })).id).toBeDefined();
    const err = await alice!.tc.sendMessage({ content: 'x'.repeat(28 * 1024 + 1) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, code: 'MessageTooLarge' });
    expect(await statusOf(alice!.tc.sendMessage({ content: 'x' }, { type: 'topicUpdated' as 'text' }))).toBe(400);
  });

  it('stores read receipts (200) and lists the latest per reader with skip and paging', async () => {
    const { users } = await threadWith(3);
    const [alice, bob, carol] = users;
    const m1 = await alice!.tc.sendMessage({ content: 'one' });
    const m2 = await alice!.tc.sendMessage({ content: 'two' });
    await bob!.tc.sendReadReceipt({ chatMessageId: m1.id });
    await bob!.tc.sendReadReceipt({ chatMessageId: m2.id });
    await carol!.tc.sendReadReceipt({ chatMessageId: m1.id });
    const receipts = await all(alice!.tc.listReadReceipts({ maxPageSize: 1 }));
    expect(
      receipts.map((r) => [(r.sender as { communicationUserId: string }).communicationUserId, r.chatMessageId]),
    ).toEqual([
      [bob!.id, m2.id],
      [carol!.id, m1.id],
    ]);
    expect(receipts[0]?.readOn).toBeInstanceOf(Date);
    expect((await all(alice!.tc.listReadReceipts({ skip: 1 }))).length).toBe(1);
    expect(await statusOf(bob!.tc.sendReadReceipt({ chatMessageId: '123' }))).toBe(404);
  });

  it('accepts typing notifications (200)', async () => {
    const { users } = await threadWith(1);
    expect(await users[0]!.tc.sendTypingNotification({ senderDisplayName: 'Alice' })).toBe(true);
    expect(
      env()
        .recorded.filter((r) => r.operation === 'chat.sendTyping')
        .at(-1)?.status,
    ).toBe(200);
  });

  it('sets Location on created threads and messages', async () => {
    const { emu, newUser } = env();
    const alice = await newUser();
    const auth = { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' };
    const created = await raw(
      emu,
      'POST',
      '/chat/threads?api-version=2025-03-15',
      auth,
      JSON.stringify({ topic: 'L' }),
    );
    const id = (created.json as { chatThread: { id: string } }).chatThread.id;
    expect(created.headers.location).toBe(`${emu.endpoint}chat/threads/${encodeURIComponent(id)}`);
    const sent = await raw(
      emu,
      'POST',
      `/chat/threads/${encodeURIComponent(id)}/messages?api-version=2021-09-07`,
      auth,
      JSON.stringify({ content: 'c' }),
    );
    expect(sent.status).toBe(201);
    expect(sent.headers.location).toBe(
      `${emu.endpoint}chat/threads/${encodeURIComponent(id)}/messages/${(sent.json as { id: string }).id}`,
    );
  });
});
