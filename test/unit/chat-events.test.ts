import { HANDLED_CHAT_EVENT_TYPES, parseChatEvent } from '../../src/events/chat-event-schemas';
import { INBOX_EVENT_TYPES } from '../../src/events/inbox-event-schemas';

/** Parsing ACS chat events as the Functions host hands them to `chatEvents`. */
describe('parseChatEvent', () => {
  const threadId = '19:acsV1_abc@thread.v2';
  const event = (eventType: string, data: unknown): Record<string, unknown> => ({
    id: 'e1',
    topic: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Communication/communicationServices/acs',
    subject: `thread/${threadId}/sender/8:acs:r_1`,
    eventType,
    eventTime: '2024-01-01T00:00:05.000Z',
    data,
    dataVersion: '1.0',
    metadataVersion: '1',
  });

  it('handles the message-in-thread and thread-deleted events, and those that keep inboxes', () => {
    expect(HANDLED_CHAT_EVENT_TYPES).toEqual([
      'Microsoft.Communication.ChatMessageReceivedInThread',
      'Microsoft.Communication.ChatThreadDeleted',
      ...INBOX_EVENT_TYPES,
    ]);
  });

  it('reads the thread and the message time of a message event', () => {
    const data = { threadId, messageId: '17', composeTime: '2024-01-01T00:00:01.000+00:00', type: 'Text' };
    expect(parseChatEvent(event('Microsoft.Communication.ChatMessageReceivedInThread', data))).toEqual({
      id: 'e1',
      eventType: 'Microsoft.Communication.ChatMessageReceivedInThread',
      kind: 'messageReceivedInThread',
      threadId,
      messageId: '17',
      activityOn: new Date('2024-01-01T00:00:01.000Z'),
    });
    // Without composeTime, the event time stands in.
    const { composeTime: _omitted, ...withoutTime } = data;
    expect(parseChatEvent(event('Microsoft.Communication.ChatMessageReceivedInThread', withoutTime))).toMatchObject({
      activityOn: new Date('2024-01-01T00:00:05.000Z'),
    });
  });

  it('compares event types case-insensitively, as Event Grid does', () => {
    expect(parseChatEvent(event('microsoft.communication.chatthreaddeleted', { threadId }))).toMatchObject({
      kind: 'threadDeleted',
      threadId,
    });
  });

  it('acknowledges other event types, and reports data that does not match its schema', () => {
    expect(parseChatEvent(event('Microsoft.Communication.ChatThreadPropertiesUpdated', {}))).toMatchObject({
      kind: 'unhandled',
    });
    expect(parseChatEvent(event('Microsoft.Communication.ChatThreadDeleted', { threadId: 7 }))).toMatchObject({
      kind: 'invalid',
      issues: [expect.stringContaining('threadId')],
    });
    expect(parseChatEvent('not an event')).toMatchObject({ kind: 'invalid', id: 'unknown' });
  });
});
