import { inboxEffectOf } from '../../src/events/inbox-event-schemas';

/** Which inbox entries an ACS chat event changes: the recipient's, or the actor's for thread-level events. */
describe('inboxEffectOf', () => {
  const threadId = '19:acsV1_abc@thread.v2';
  const who = (rawId: string) => ({ rawId, communicationUser: { id: rawId } });
  const event = (name: string, data: Record<string, unknown>) => ({
    id: 'e1',
    subject: 's',
    eventType: `Microsoft.Communication.${name}`,
    eventTime: '2024-01-01T00:00:05.000Z',
    data: { threadId, transactionId: 't', ...data },
  });
  const message = {
    messageId: '1704067201000',
    senderCommunicationIdentifier: who('8:acs:bob'),
    composeTime: '2024-01-01T00:00:01.000Z',
    type: 'Html',
    version: 1704067201000,
    messageBody: '<p>Hi <b>all</b></p>',
  };

  it('gives a received message to its recipient as unread, and to its sender (thread-level) as their own', () => {
    const received = inboxEffectOf(
      event('ChatMessageReceived', { ...message, recipientCommunicationIdentifier: who('8:acs:ann') }),
    );
    expect(received.updates).toEqual([
      {
        acsUserId: '8:acs:ann',
        threadId,
        change: expect.objectContaining({
          kind: 'message',
          fromOther: true,
          message: expect.objectContaining({ type: 'html', preview: 'Hi all', senderAcsUserId: '8:acs:bob' }),
        }),
      },
    ]);
    const own = inboxEffectOf(event('ChatMessageReceivedInThread', message));
    expect(own.updates).toEqual([
      { acsUserId: '8:acs:bob', threadId, change: expect.objectContaining({ kind: 'message', fromOther: false }) },
    ]);
  });

  it('changes membership only of the person added or removed, and the actor only when they acted on themselves', () => {
    const added = {
      time: '2024-01-01T00:00:02.000Z',
      addedByCommunicationIdentifier: who('8:acs:ann'),
      participantAdded: { participantCommunicationIdentifier: who('8:acs:cy') },
    };
    expect(
      inboxEffectOf(
        event('ChatParticipantAddedToThreadWithUser', {
          ...added,
          recipientCommunicationIdentifier: who('8:acs:bob'),
        }),
      ).updates,
    ).toEqual([]);
    expect(
      inboxEffectOf(
        event('ChatParticipantAddedToThreadWithUser', {
          ...added,
          recipientCommunicationIdentifier: who('8:acs:cy'),
        }),
      ).updates,
    ).toEqual([{ acsUserId: '8:acs:cy', threadId, change: { kind: 'joined', at: Date.parse(added.time) } }]);
    expect(inboxEffectOf(event('ChatThreadParticipantAdded', added)).updates).toEqual([]);
    const left = {
      time: '2024-01-01T00:00:03.000Z',
      removedByCommunicationIdentifier: who('8:acs:cy'),
      participantRemoved: { participantCommunicationIdentifier: who('8:acs:cy') },
    };
    expect(inboxEffectOf(event('ChatThreadParticipantRemoved', left)).updates).toEqual([
      { acsUserId: '8:acs:cy', threadId, change: { kind: 'left', at: Date.parse(left.time) } },
    ]);
  });

  it('refuses data that does not match the schema, and ignores types it does not keep inboxes from', () => {
    expect(() => inboxEffectOf(event('ChatMessageReceived', { messageId: 1 }))).toThrow();
    expect(inboxEffectOf(event('ChatTypingIndicatorReceivedInThread', {})).updates).toEqual([]);
  });
});
