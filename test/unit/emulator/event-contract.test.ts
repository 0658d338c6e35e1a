import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { SPEC_DIR } from '../../integration/emulator/contract';
import { EventContractValidator } from '../../integration/emulator/event-contract';

/** The event contract check must have teeth: drifted events fail, conforming ones pass. */
describe('event contract validator', () => {
  const v = new EventContractValidator();
  const user = { rawId: '8:acs:r_1', communicationUser: { id: '8:acs:r_1' } };
  const threadId = '19:acsV1_abc@thread.v2';
  const event = {
    id: 'e1',
    topic: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Communication/communicationServices/acs',
    subject: `thread/${threadId}/sender/8:acs:r_1`,
    eventType: 'Microsoft.Communication.ChatMessageReceivedInThread',
    eventTime: '2024-01-01T00:00:00.000Z',
    data: {
      threadId,
      transactionId: 't',
      messageId: '1',
      senderCommunicationIdentifier: user,
      composeTime: '2024-01-01T00:00:00.000Z',
      type: 'Text',
      version: 1,
      messageBody: 'hi',
    },
    dataVersion: '1.0',
    metadataVersion: '1',
  };

  it('reads all 18 event types of the contract table, 8 of them user-level', () => {
    expect(v.rows).toHaveLength(18);
    expect(v.rows.filter((row) => row.level === 'User')).toHaveLength(8);
  });

  it('accepts a conforming event', () => {
    expect(v.check(event)).toBeUndefined();
  });

  it.each([
    ['a legacy field the swagger does not declare', { ...event, data: { ...event.data, senderId: '8:acs:r_1' } }],
    ['a version given as a string', { ...event, data: { ...event.data, version: '1' } }],
    ['a missing required field', { ...event, data: { ...event.data, messageBody: undefined } }],
    ['a subject of another event type', { ...event, subject: `thread/${threadId}/createdBy/8:acs:r_1` }],
    ['a wrong dataVersion', { ...event, dataVersion: '2.0' }],
    ['an unknown envelope field', { ...event, specversion: '1.0' }],
    [
      'an event type outside the contract',
      { ...event, eventType: 'Microsoft.Communication.ChatMemberAddedToThreadWithUser' },
    ],
  ])('rejects %s', (_name, drifted) => {
    expect(v.check(JSON.parse(JSON.stringify(drifted)))).toEqual(expect.any(String));
  });

  it('rejects the official examples whose quirks the emulator must not copy', () => {
    // (Their topics are lower-cased placeholders; ours is a real-looking ARM id.)
    const example = (name: string): unknown => ({
      ...(JSON.parse(readFileSync(resolve(SPEC_DIR, 'eventgrid/examples', `${name}.json`), 'utf8')) as object),
      topic: event.topic,
    });
    expect(v.check(example('chat_message_received_in_thread'))).toMatch(/version/);
    expect(v.check(example('chat_message_received'))).toMatch(/additional properties/);
  });
});
