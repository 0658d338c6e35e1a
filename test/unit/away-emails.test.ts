import fc from 'fast-check';

import { awayEmail } from '../../src/notifications/email-content';
import { settingsOf } from '../../src/notifications/notification-settings';
import { UNSUBSCRIBE_LINK_DAYS, UnsubscribeLinks } from '../../src/notifications/unsubscribe-links';

describe('away email content', () => {
  it('never turns what users wrote into markup, links or headers (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (topic, sender, preview) => {
        const email = awayEmail({
          threads: [{ threadId: 't', topic, unreadCount: 2, senders: [sender], preview }],
          moreThreads: 0,
          appBaseUrl: 'https://app.example',
          unsubscribeUrl: 'https://api.example/api/notifications/unsubscribe?token=x',
        });
        const userText = email.html.replace(/<\/?(?:!doctype html|html|body|p|ul|li|strong|br|q|a)\b[^>]*>/gi, '');
        expect(userText).not.toMatch(/[<>]/);
        expect(email.html.match(/<a /g)).toHaveLength(2);
        expect(email.subject).not.toMatch(/[\r\n]/);
      }),
    );
  });

  it('says what is unread, from whom, and links the app and the unsubscribe page', () => {
    const email = awayEmail({
      threads: [
        { threadId: 'a', topic: 'Trip', unreadCount: 3, senders: ['Alice', 'Bob', 'Carol', 'Dan'], preview: 'hi' },
        { threadId: 'b', topic: 'Work', unreadCount: 1, senders: ['Eve'] },
      ],
      moreThreads: 2,
      unsubscribeUrl: 'https://api.example/u',
    });
    expect(email.subject).toBe('4 unread messages in 4 conversations');
    expect(email.plainText).toContain('- Trip: 3 unread from Alice, Bob, Carol and 1 other');
    expect(email.plainText).toContain('  "hi"');
    expect(email.plainText).toContain('and 2 more conversations');
    expect(email.plainText).toContain('Open the chat app to read them.');
    expect(email.html).toContain('<a href="https://api.example/u">Stop these emails</a>');
  });
});

describe('unsubscribe links', () => {
  const key = () => Promise.resolve(Buffer.alloc(32, 7));

  it('name one user, refuse any change to the token, and expire', async () => {
    let now = Date.UTC(2026, 0, 1);
    const links = new UnsubscribeLinks(key, () => now);
    const token = await links.tokenFor('bob@corp');
    expect(await links.userOf(token)).toBe('bob@corp');
    const [, expiry, mac] = token.split('.');
    expect(await links.userOf(`${Buffer.from('carol').toString('base64url')}.${expiry}.${mac}`)).toBeUndefined();
    expect(await links.userOf(`${token.split('.')[0]}.${Number(expiry) + 1}.${mac}`)).toBeUndefined();
    expect(await links.userOf('garbage')).toBeUndefined();
    const other = new UnsubscribeLinks(
      () => Promise.resolve(Buffer.alloc(32, 8)),
      () => now,
    );
    expect(await other.userOf(token)).toBeUndefined();
    now += UNSUBSCRIBE_LINK_DAYS * 86_400_000 + 1;
    expect(await links.userOf(token)).toBeUndefined();
  });
});

describe('notification settings', () => {
  it('are on with the sign-in address by default, and the address the user set wins', () => {
    expect(settingsOf({})).toEqual({ email: { enabled: false, delayMinutes: 15 } });
    expect(settingsOf({ tokenAddress: 'a@x.example' }).email).toEqual({
      enabled: true,
      address: 'a@x.example',
      addressSource: 'token',
      delayMinutes: 15,
    });
    expect(settingsOf({ tokenAddress: 'a@x.example', address: 'b@y.example', delayMinutes: 30 }).email).toEqual({
      enabled: true,
      address: 'b@y.example',
      addressSource: 'user',
      delayMinutes: 30,
    });
    expect(settingsOf({ tokenAddress: 'a@x.example', enabled: false }).email.enabled).toBe(false);
  });
});
