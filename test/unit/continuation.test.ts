import { randomBytes } from 'node:crypto';

import fc from 'fast-check';

import { ContinuationCodec, type PageScope } from '../../src/chat/continuation';

const endpoint = 'https://acs.example.com/';
const key = randomBytes(32);
const codec = new ContinuationCodec(async () => key, endpoint);
const scope: PageScope = { list: 'messages', threadId: '19:abc@thread.v2', userId: 'alice' };
const nextLink =
  'https://acs.example.com/chat/threads/19%3Aabc%40thread.v2/messages?syncState=xyz&maxPageSize=5&api-version=2025-03-15';

describe('ContinuationCodec', () => {
  it('round-trips an ACS next link, keeping only its path and query on the configured endpoint', async () => {
    const token = await codec.encode(scope, nextLink);
    expect(await codec.decode(scope, token!)).toBe(nextLink);
    const foreignHost = await codec.encode(scope, 'https://attacker.example/chat/threads/x/messages?y=1');
    expect(await codec.decode(scope, foreignHost!)).toBe('https://acs.example.com/chat/threads/x/messages?y=1');
    expect(await codec.encode(scope, undefined)).toBeUndefined();
  });

  it('refuses a token for another list, thread or caller, or signed with another key', async () => {
    const token = (await codec.encode(scope, nextLink))!;
    for (const other of [
      { ...scope, list: 'participants' as const },
      { ...scope, threadId: '19:other@thread.v2' },
      { ...scope, userId: 'bob' },
    ]) {
      await expect(codec.decode(other, token)).rejects.toMatchObject({ code: 'InvalidContinuationToken' });
    }
    const otherKey = new ContinuationCodec(async () => randomBytes(32), endpoint);
    await expect(otherKey.decode(scope, token)).rejects.toMatchObject({ code: 'InvalidContinuationToken' });
  });

  it('refuses any altered token (property)', async () => {
    const token = (await codec.encode(scope, nextLink))!;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length - 1 }),
        fc.string({ minLength: 1, maxLength: 1 }),
        async (position, replacement) => {
          fc.pre(token[position] !== replacement);
          const altered = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`;
          await expect(codec.decode(scope, altered)).rejects.toMatchObject({ code: 'InvalidContinuationToken' });
        },
      ),
      { numRuns: 300 },
    );
  });
});
