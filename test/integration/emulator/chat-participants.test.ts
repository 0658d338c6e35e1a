import type { CommunicationUserIdentifier } from '@azure/communication-common';

import { all, statusOf, useEmulator } from './helpers';

const env = useEmulator();
const idOf = (p: { id: unknown }): string => (p.id as CommunicationUserIdentifier).communicationUserId;

describe('Chat participants through the official SDK', () => {
  it('adds (201) with display name, metadata and shareHistoryTime, emits participantAdded; re-adding is a no-op', async () => {
    const { newUser } = env();
    const alice = await newUser();
    const bob = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'P' });
    const tc = alice.thread(chatThread?.id ?? '');
    const share = new Date('2024-01-01T00:00:00Z');
    const res = await tc.addParticipants({
      participants: [
        { id: { communicationUserId: bob.id }, displayName: 'Bob', shareHistoryTime: share, metadata: { r: '1' } },
      ],
    });
    expect(res.invalidParticipants).toBeUndefined();
    // "If participants already exist, no change occurs" (the contract): name and shareHistoryTime stay.
    await tc.addParticipants({
      participants: [
        { id: { communicationUserId: bob.id }, displayName: 'Robert', shareHistoryTime: new Date('1970-01-01') },
      ],
    });
    const bobP = (await all(tc.listParticipants())).find((p) => idOf(p) === bob.id);
    expect(bobP).toMatchObject({ displayName: 'Bob', shareHistoryTime: share });
    const added = (await all(tc.listMessages())).filter((m) => m.type === 'participantAdded');
    expect(added).toHaveLength(2); // creation + bob, not the repeat
    expect(added[0]?.content?.participants?.map(idOf)).toEqual([bob.id]);
    expect(added[0]?.content?.initiator).toMatchObject({ communicationUserId: alice.id });
  });

  it('reports unknown identities as invalidParticipants', async () => {
    const { newUser, emu } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'P' });
    const ghost = `8:acs:${emu.resourceId}_11111111-1111-1111-1111-111111111111`;
    const res = await alice
      .thread(chatThread?.id ?? '')
      .addParticipants({ participants: [{ id: { communicationUserId: ghost } }] });
    expect(res.invalidParticipants).toEqual([{ target: ghost, code: '403', message: 'Permissions check failed' }]);
  });

  it('lists with maxPageSize and skip across pages', async () => {
    const { newUser, identity } = env();
    const alice = await newUser();
    const others = await Promise.all(Array.from({ length: 6 }, () => identity.createUser()));
    const { chatThread } = await alice.chat.createChatThread(
      { topic: 'P' },
      { participants: others.map((u) => ({ id: u })) },
    );
    const tc = alice.thread(chatThread?.id ?? '');
    const pages = await all(tc.listParticipants({ maxPageSize: 3 }).byPage());
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const skipped = await all(tc.listParticipants({ skip: 4, maxPageSize: 2 }));
    expect(skipped.map(idOf)).toEqual(pages.flat().slice(4).map(idOf));
  });

  it('removes a participant (204), emits participantRemoved; the removed user loses access (403)', async () => {
    const { newUser } = env();
    const alice = await newUser();
    const bob = await newUser();
    const { chatThread } = await alice.chat.createChatThread(
      { topic: 'P' },
      { participants: [{ id: { communicationUserId: bob.id } }] },
    );
    const id = chatThread?.id ?? '';
    await bob.thread(id).removeParticipant({ communicationUserId: bob.id }); // leaving with a full token is fine
    await alice.thread(id).removeParticipant({ communicationUserId: bob.id }); // already gone: no-op
    expect(await statusOf(bob.thread(id).getProperties())).toBe(403);
    expect((await all(bob.chat.listChatThreads())).map((t) => t.id)).not.toContain(id);
    const removed = (await all(alice.thread(id).listMessages())).filter((m) => m.type === 'participantRemoved');
    expect(removed.map((m) => m.content?.participants?.map(idOf))).toEqual([[bob.id]]);
    expect(removed[0]?.content?.initiator).toMatchObject({ communicationUserId: bob.id });
  });

  it('enforces 200 participants per request and 250 per thread (400)', async () => {
    const { newUser, identity } = env();
    const alice = await newUser();
    const users = await Promise.all(Array.from({ length: 251 }, () => identity.createUser()));
    const err = await alice.chat
      .createChatThread({ topic: 'Big' }, { participants: users.slice(0, 201).map((u) => ({ id: u })) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, code: 'TooManyParticipants' });
    const { chatThread } = await alice.chat.createChatThread(
      { topic: 'Big' },
      { participants: users.slice(0, 200).map((u) => ({ id: u })) },
    );
    const tc = alice.thread(chatThread?.id ?? '');
    await tc.addParticipants({ participants: users.slice(200, 249).map((u) => ({ id: u })) }); // 250 now
    expect(await statusOf(tc.addParticipants({ participants: [{ id: users[250]! }] }))).toBe(400);
    expect((await all(tc.listParticipants({ maxPageSize: 200 }))).length).toBe(250);
  });
});
