import { decodeJwt } from 'jose';

import { all, raw, statusOf, useEmulator } from './helpers';

const env = useEmulator();

async function ownerAndThread() {
  const owner = await env().newUser();
  const { chatThread } = await owner.chat.createChatThread({ topic: 'Access' });
  return { owner, id: chatThread?.id ?? '' };
}

describe('Chat token verification', () => {
  it('refuses a missing, forged or malformed bearer token with 401', async () => {
    const { emu } = env();
    const { owner, id } = await ownerAndThread();
    const path = `/chat/threads/${encodeURIComponent(id)}?api-version=2025-03-15`;
    expect((await raw(emu, 'GET', path)).status).toBe(401);
    const [h, p] = owner.token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(owner.token), acsScope: 'chat' })).toString(
      'base64url',
    );
    expect(
      (await raw(emu, 'GET', path, { authorization: `Bearer ${h}.${forgedPayload}.${'A'.repeat(20)}` })).status,
    ).toBe(401);
    expect((await raw(emu, 'GET', path, { authorization: `Bearer ${h}.${p}` })).status).toBe(401);
    expect((await raw(emu, 'GET', path, { authorization: `Bearer ${owner.token}` })).status).toBe(200);
  });

  it('refuses an expired token (401) once the emulator clock passes exp', async () => {
    const { emu, identity, chatClient } = env();
    const { owner, id } = await ownerAndThread();
    const short = await identity.getToken({ communicationUserId: owner.id }, ['chat'], { tokenExpiresInMinutes: 60 });
    const client = chatClient(short.token).getChatThreadClient(id);
    await client.getProperties();
    emu.control.advanceClock(61 * 60_000);
    try {
      const err = await client.getProperties().catch((e: unknown) => e);
      expect(err).toMatchObject({ statusCode: 401, code: 'ExpiredAuthenticationToken' });
    } finally {
      emu.control.resetClock();
    }
  });

  it('refuses tokens issued before a revocation (401) and accepts ones issued after', async () => {
    const { identity, chatClient } = env();
    const { owner, id } = await ownerAndThread();
    await identity.revokeTokens({ communicationUserId: owner.id });
    expect(await statusOf(owner.thread(id).getProperties())).toBe(401);
    const fresh = await identity.getToken({ communicationUserId: owner.id }, ['chat']);
    expect((await chatClient(fresh.token).getChatThreadClient(id).getProperties()).id).toBe(id);
  });

  it('refuses tokens of a deleted user (401)', async () => {
    const { identity } = env();
    const { owner, id } = await ownerAndThread();
    await identity.deleteUser({ communicationUserId: owner.id });
    const err = await owner
      .thread(id)
      .getProperties()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 401 });
  });

  it('refuses a voip-only token on chat (403)', async () => {
    const voip = await env().newUser(['voip']);
    expect(await statusOf(all(voip.chat.listChatThreads()))).toBe(403);
  });
});

describe('ACS authorization semantics', () => {
  it('a non-participant gets 403 on every thread operation; an unknown thread is 404', async () => {
    const { owner, id } = await ownerAndThread();
    const { id: msgId } = await owner.thread(id).sendMessage({ content: 'private' });
    const stranger = (await env().newUser()).thread(id);
    const calls: Promise<unknown>[] = [
      stranger.getProperties(),
      stranger.updateTopic('x'),
      stranger.sendMessage({ content: 'x' }),
      stranger.getMessage(msgId),
      all(stranger.listMessages()),
      all(stranger.listParticipants()),
      all(stranger.listReadReceipts()),
      stranger.sendReadReceipt({ chatMessageId: msgId }),
      stranger.addParticipants({ participants: [{ id: { communicationUserId: owner.id } }] }),
      stranger.removeParticipant({ communicationUserId: owner.id }),
    ];
    for (const c of calls) expect(await statusOf(c)).toBe(403);
    expect(await statusOf(owner.thread('19:acsV1_doesnotexist@thread.v2').getProperties())).toBe(404);
  });

  it('chat.join: reads, posts and manages participants, but cannot create, update or delete threads', async () => {
    const { owner, id } = await ownerAndThread();
    const joiner = await env().newUser(['chat.join']);
    const other = await env().newUser();
    await owner.thread(id).addParticipants({ participants: [{ id: { communicationUserId: joiner.id } }] });
    const tc = joiner.thread(id);
    expect(await statusOf(joiner.chat.createChatThread({ topic: 'no' }))).toBe(403);
    expect(await statusOf(tc.updateTopic('no'))).toBe(403);
    expect(await statusOf(joiner.chat.deleteChatThread(id))).toBe(403);
    await tc.sendMessage({ content: 'allowed' });
    await tc.addParticipants({ participants: [{ id: { communicationUserId: other.id } }] });
    await tc.removeParticipant({ communicationUserId: other.id });
    expect((await all(joiner.chat.listChatThreads())).map((t) => t.id)).toContain(id);
  });

  it('chat.join.limited: reads and posts, but cannot add or remove anyone, itself included', async () => {
    const { owner, id } = await ownerAndThread();
    const limited = await env().newUser(['chat.join.limited']);
    const other = await env().newUser();
    await owner.thread(id).addParticipants({ participants: [{ id: { communicationUserId: limited.id } }] });
    const tc = limited.thread(id);
    const { id: mine } = await tc.sendMessage({ content: 'hi' });
    await tc.updateMessage(mine, { content: 'edited' });
    await tc.sendReadReceipt({ chatMessageId: mine });
    expect((await tc.getProperties()).id).toBe(id);
    expect(await statusOf(limited.chat.createChatThread({ topic: 'no' }))).toBe(403);
    expect(await statusOf(tc.addParticipants({ participants: [{ id: { communicationUserId: other.id } }] }))).toBe(403);
    expect(await statusOf(tc.removeParticipant({ communicationUserId: owner.id }))).toBe(403);
    expect(await statusOf(tc.removeParticipant({ communicationUserId: limited.id }))).toBe(403);
    await tc.deleteMessage(mine);
  });

  it('a full chat token (service identity) can do everything on its threads', async () => {
    const { owner, id } = await ownerAndThread();
    const member = await env().newUser();
    const tc = owner.thread(id);
    await tc.addParticipants({ participants: [{ id: { communicationUserId: member.id } }] });
    await tc.updateProperties({ topic: 'renamed', metadata: { m: '1' } });
    await tc.removeParticipant({ communicationUserId: member.id });
    expect(await statusOf(member.thread(id).getProperties())).toBe(403);
    await owner.chat.deleteChatThread(id);
  });
});
