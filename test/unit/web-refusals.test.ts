import { ApiError, type ApiErrorBody } from '../../client';
import { asMessageRejection } from '../../web/src/message-rejections';
import { errorText } from '../../web/src/refusals';

/** A 422 ContentRejected as the API words it: categories in details, never the matched words. */
function contentRejected(categories: string[]): ApiError {
  const body: ApiErrorBody = {
    error: {
      code: 'ContentRejected',
      message: 'The content was rejected by moderation.',
      requestId: 'r1',
      details: categories.map((category) => ({ code: 'HarmCategory', message: category, target: 'content' })),
    },
  };
  return new ApiError(422, body, undefined);
}

describe("the web app's words for refusals", () => {
  it('names the flagged categories for what the user was doing, readably', () => {
    expect(errorText(contentRejected(['Hate']), 'send')).toBe('Not sent: your message was flagged (Hate).');
    expect(errorText(contentRejected(['SelfHarm', 'Blocklist']), 'edit')).toBe(
      'Not saved: your edit was flagged (Self-harm, Blocked term).',
    );
    expect(errorText(contentRejected([]), 'createThread')).toBe('Not created: the topic was flagged.');
  });

  it("shows any other error as the API's message", () => {
    const banned = new ApiError(
      403,
      { error: { code: 'UserBanned', message: 'You are banned: spam', requestId: 'r2' } },
      undefined,
    );
    expect(errorText(banned, 'send')).toBe('You are banned: spam');
    expect(errorText(new Error('offline'))).toBe('offline');
  });

  it('reads a messageRejected live update, and nothing else as one', () => {
    const update = {
      v: 1,
      id: 'e1',
      threadId: 't1',
      type: 'messageRejected',
      messageId: '17',
      categories: ['Violence', 'SelfHarm', 3],
      on: '2026-01-01T00:00:00Z',
    };
    expect(asMessageRejection(update)).toEqual({
      threadId: 't1',
      messageId: '17',
      categories: ['Violence', 'Self-harm'],
    });
    expect(asMessageRejection({ ...update, messageId: undefined })).toBeUndefined();
    expect(asMessageRejection({ ...update, type: 'messageDeleted' })).toBeUndefined();
  });
});
