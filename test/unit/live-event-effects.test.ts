import { ZodError } from 'zod';

import type { Lookup } from '../../src/chat/people';
import { liveDeliveriesOf } from '../../src/realtime/live-event-effects';
import { liveUpdateSchema } from '../../src/realtime/live-update-schemas';

/** Who an ACS chat event's live update goes to (a user-level event's recipient, a thread-level event's actor). */
describe('liveDeliveriesOf', () => {
  const threadId = '19:acsV1_abc@thread.v2';
  const SERVICE = '8:acs:service';
  const who = (rawId: string) => ({ rawId, communicationUser: { id: rawId } });
  const lookup: Lookup = (acsUserId) =>
    acsUserId === undefined || acsUserId === SERVICE ? undefined : { userId: acsUserId.slice(6), acsUserId };
  const event = (name: string, data: Record<string, unknown>) => ({
    id: `event-${name}`,
    subject: 's',
    eventType: `Microsoft.Communication.${name}`,
    eventTime: '2024-01-01T00:00:05.000Z',
    data: { threadId, transactionId: 't', ...data },
  });
  const to = (recipient: string) => ({ recipientCommunicationIdentifier: who(recipient) });
  const message = {
    messageId: '1704067201000',
    senderCommunicationIdentifier: who('8:acs:bob'),
    senderDisplayName: 'Bob',
    composeTime: '2024-01-01T00:00:01.000Z',
    type: 'Text',
    version: 1704067201000,
    messageBody: 'Hi <b>all</b>',
    metadata: { client: 'x', 'acsChatBackend.repeatabilityId': 'hidden' },
  };
  const built = (input: unknown) =>
    liveDeliveriesOf(input).map((delivery) => {
      const update = delivery.build(lookup);
      if (update) liveUpdateSchema.parse(update); // every update fits the published schema
      return { to: delivery.recipientAcsUserId, update };
    });

  it('sends a message to its recipient, and to its sender from the thread-level event, ready to render', () => {
    const [received] = built(event('ChatMessageReceived', { ...message, ...to('8:acs:ann') }));
    expect(received).toEqual({
      to: '8:acs:ann',
      update: {
        v: 1,
        id: 'event-ChatMessageReceived',
        type: 'messageCreated',
        threadId,
        message: {
          id: '1704067201000',
          type: 'text',
          version: '1704067201000',
          content: { message: 'Hi <b>all</b>' },
          senderDisplayName: 'Bob',
          sender: { userId: 'bob', acsUserId: '8:acs:bob' },
          createdOn: '2024-01-01T00:00:01.000Z',
          metadata: { client: 'x' },
        },
      },
    });
    expect(built(event('ChatMessageReceivedInThread', message))).toEqual([
      { to: '8:acs:bob', update: expect.objectContaining({ type: 'messageCreated' }) },
    ]);
  });

  it('marks edits with their time and deletions without content', () => {
    const editTime = '2024-01-01T00:00:03.000Z';
    const [edited] = built(
      event('ChatMessageEdited', { ...message, version: 1704067203000, editTime, ...to('8:acs:ann') }),
    );
    expect(edited?.update).toMatchObject({
      type: 'messageEdited',
      message: { editedOn: editTime, version: '1704067203000' },
    });
    const [deleted] = built(
      event('ChatMessageDeletedInThread', { ...message, messageBody: undefined, deleteTime: editTime }),
    );
    expect(deleted?.to).toBe('8:acs:bob');
    expect(deleted?.update).toMatchObject({ type: 'messageDeleted', message: { deletedOn: editTime } });
    expect(deleted?.update && 'message' in deleted.update ? deleted.update.message.content : 'none').toBeUndefined();
  });

  it('names who added or removed someone, except the backend, and never shows the backend joining', () => {
    const added = {
      time: '2024-01-01T00:00:02.000Z',
      participantAdded: { participantCommunicationIdentifier: who('8:acs:cat'), displayName: 'Cat' },
    };
    expect(
      built(
        event('ChatParticipantAddedToThreadWithUser', {
          ...added,
          addedByCommunicationIdentifier: who(SERVICE),
          ...to('8:acs:ann'),
        }),
      ),
    ).toEqual([
      {
        to: '8:acs:ann',
        update: expect.objectContaining({
          type: 'participantAdded',
          participant: { userId: 'cat', acsUserId: '8:acs:cat', displayName: 'Cat' },
          on: added.time,
        }),
      },
    ]);
    const [serviceJoined] = built(
      event('ChatThreadParticipantAdded', {
        time: added.time,
        addedByCommunicationIdentifier: who('8:acs:ann'),
        participantAdded: { participantCommunicationIdentifier: who(SERVICE) },
      }),
    );
    expect(serviceJoined).toEqual({ to: '8:acs:ann', update: undefined });
    const [removed] = built(
      event('ChatThreadParticipantRemoved', {
        time: added.time,
        removedByCommunicationIdentifier: who('8:acs:cat'),
        participantRemoved: { participantCommunicationIdentifier: who('8:acs:cat') },
      }),
    );
    expect(removed).toMatchObject({ to: '8:acs:cat', update: { type: 'participantRemoved', by: { userId: 'cat' } } });
  });

  it('covers thread creation, property changes and deletion', () => {
    const createTime = '2024-01-01T00:00:00.000Z';
    const created = { createdByCommunicationIdentifier: who('8:acs:ann'), createTime, properties: { topic: 'T' } };
    expect(built(event('ChatThreadCreatedWithUser', { ...created, ...to('8:acs:bob') }))).toEqual([
      {
        to: '8:acs:bob',
        update: expect.objectContaining({ type: 'threadCreated', topic: 'T', createdOn: createTime }),
      },
    ]);
    const updated = {
      editedByCommunicationIdentifier: who('8:acs:ann'),
      editTime: createTime,
      properties: { topic: 'U' },
      metadata: { color: 'blue' },
    };
    expect(built(event('ChatThreadPropertiesUpdated', updated))).toEqual([
      {
        to: '8:acs:ann',
        update: expect.objectContaining({ type: 'threadUpdated', topic: 'U', metadata: { color: 'blue' } }),
      },
    ]);
    expect(
      built(
        event('ChatThreadWithUserDeleted', { deletedByCommunicationIdentifier: who('8:acs:ann'), ...to('8:acs:bob') }),
      ),
    ).toEqual([
      {
        to: '8:acs:bob',
        update: expect.objectContaining({ type: 'threadDeleted', deletedOn: '2024-01-01T00:00:05.000Z' }),
      },
    ]);
  });

  it('ignores other event types and throws on malformed data of a handled one', () => {
    expect(liveDeliveriesOf(event('ChatMessageReceivedInThreadV2', message))).toEqual([]);
    expect(liveDeliveriesOf({ ...event('AdvancedMessageReceived', {}), eventType: 'Other.Event' })).toEqual([]);
    expect(() => liveDeliveriesOf(event('ChatMessageReceived', { ...message }))).toThrow(ZodError);
  });
});
