import { ContractValidator } from '../../integration/emulator/contract';

/** The contract check must have teeth: drifted bodies fail, correct ones pass. */
describe('swagger contract validator', () => {
  const v = new ContractValidator();
  const user = { rawId: '8:acs:r_1', communicationUser: { id: '8:acs:r_1' } };
  const message = {
    id: '1',
    type: 'text',
    sequenceId: '1',
    version: '1',
    createdOn: '2024-01-01T00:00:00Z',
    content: { message: 'x' },
    senderCommunicationIdentifier: user,
  };

  it('accepts spec-conforming bodies', () => {
    expect(v.check('chat.getMessage', 200, message)).toBeUndefined();
    expect(v.check('chat.listMessages', 200, { value: [message], nextLink: 'https://x/y' })).toBeUndefined();
    expect(v.check('identity.createUser', 201, { identity: { id: '8:acs:r_1' } })).toBeUndefined();
    expect(v.check('chat.deleteThread', 204, undefined)).toBeUndefined();
    expect(v.check('chat.getThread', 404, { error: { code: 'NotFound', message: 'gone' } })).toBeUndefined();
    expect(v.check('identity.issueToken', 401, { error: { code: 'Denied', message: 'no' } })).toBeUndefined();
    expect(v.check('email.send', 202, { id: 'x', status: 'Running' })).toBeUndefined();
    expect(v.check('email.send', 429, { error: { code: 'TooManyRequests', message: 'slow' } })).toBeUndefined();
    const failed = { id: 'x', status: 'Failed', error: { code: 'EmailDropped', message: 'dropped' } };
    expect(v.check('email.getSendResult', 200, failed)).toBeUndefined();
    expect(v.check('email.sendPreview', 202, undefined)).toBeUndefined();
    expect(v.check('email.getSendStatus', 200, { messageId: 'x', status: 'outForDelivery' })).toBeUndefined();
  });

  it.each([
    ['a missing required field', 'chat.getMessage', 200, { ...message, id: undefined }],
    ['a wrongly typed field', 'chat.getMessage', 200, { ...message, sequenceId: 1 }],
    ['a field the spec does not know', 'chat.getMessage', 200, { ...message, colour: 'red' }],
    ['an invalid enum value', 'chat.getMessage', 200, { ...message, type: 'sticker' }],
    [
      'a bad date-time',
      'chat.getThread',
      200,
      { id: 't', topic: 't', createdOn: 'yesterday', createdByCommunicationIdentifier: user },
    ],
    ['an error without code', 'chat.getThread', 403, { error: { message: 'x' } }],
    ['a body on a 204', 'chat.updateThread', 204, {}],
    ['an unlisted success status', 'chat.createThread', 200, {}],
    ['an email status the contract does not know', 'email.getSendResult', 200, { id: 'x', status: 'Queued' }],
    ['an email result without id', 'email.send', 202, { status: 'Running' }],
    ['a field EmailSendResult does not have', 'email.send', 202, { id: 'x', status: 'Running', eta: 1 }],
    ['an email error with an unknown field', 'email.send', 400, { error: { code: 'x', message: 'y', hint: 'z' } }],
    ['a body on the preview 202', 'email.sendPreview', 202, { id: 'x' }],
    ['a GA status on the preview route', 'email.getSendStatus', 200, { messageId: 'x', status: 'Succeeded' }],
  ])('rejects %s', (_name, op, status, body) => {
    expect(v.check(op, status, body)).toEqual(expect.any(String));
  });
});
