import fc from 'fast-check';

import { applyInboxChange, emptyInboxState, lastMessage, unreadCount } from '../../src/inbox/inbox-state';
import { messagePreview } from '../../src/inbox/preview';
import { deliveries, expectedOf, observed } from '../helpers/inbox-model';

describe('inbox entry state', () => {
  it('ends where the model says for any delivery: duplicates, any order, edits, deletes and reads interleaved', () => {
    fc.assert(
      fc.property(deliveries(), ({ scenario, delivered }) => {
        const state = delivered.reduce(applyInboxChange, emptyInboxState());
        expect(observed(state)).toEqual(expectedOf(scenario));
      }),
      { numRuns: 2000 },
    );
  });

  it('shows the message before the last one when the last one is deleted', () => {
    const message = (id: string, preview: string) =>
      ({
        kind: 'message',
        fromOther: true,
        message: { id, type: 'text', preview, createdOn: Number(id), version: 1 },
      }) as const;
    const state = [
      message('10', 'first'),
      message('20', 'second'),
      { kind: 'messageDeleted', messageId: '20' } as const,
    ].reduce(applyInboxChange, emptyInboxState());
    expect(lastMessage(state)?.preview).toBe('first');
    expect(unreadCount(state)).toBe(1);
  });
});

describe('message preview', () => {
  it('reduces HTML to its text and cuts at 200 characters', () => {
    expect(messagePreview('<p>Hello&nbsp;<b>bob</b></p><p>&lt;3 &#x1F600;</p><script>x()</script>', 'html')).toBe(
      'Hello bob <3 😀',
    );
    expect(messagePreview('<b>not html</b>', 'text')).toBe('<b>not html</b>');
    expect([...messagePreview('😀'.repeat(300), 'text')]).toHaveLength(200);
  });
});
