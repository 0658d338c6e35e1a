import type { MailboxEntry } from '../../../emulator/email/control';
import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { call } from '../../helpers/http';
import { openLiveTab } from '../../helpers/live';
import { startTestStack, type TestStack } from '../../helpers/stack';

const MINUTE = 60_000;

describe('away emails: one email per unread batch, after the delay, within the quota, with a one-click unsubscribe', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;
  let carol: ApiUser;
  let threadId: string;

  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true, emulatorClock: true, email: true });
    alice = await signIn(stack, 'away-alice', { name: 'Alice', email: 'alice@example.com' });
    bob = await signIn(stack, 'away-bob', { name: 'Bob', email: 'bob@example.com' });
    carol = await signIn(stack, 'away-carol', { name: 'Carol', email: 'carol@example.com' });
    // Signing in (a token for ACS) is when the backend learns each address.
    for (const user of [alice, bob, carol]) expect((await user.request('POST', '/token')).status).toBe(200);
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'Weekend <plans>',
      participants: [{ userId: bob.userId }, { userId: carol.userId }],
    });
    threadId = created.body.thread.id;
  });
  afterAll(async () => {
    await stack?.close();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });

  const mailbox = (to: string): MailboxEntry[] =>
    stack.emulator!.control.email.messages().filter((message) => message.to.some((r) => r.address === to));
  const send = async (content: string): Promise<string> => {
    const sent = await alice.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content });
    expect(sent.status).toBe(201);
    return sent.body.id;
  };
  /** Lets events land, moves both clocks on, and runs the email timer as its schedule would. */
  const after = async (ms: number): Promise<void> => {
    await stack.emulator!.control.flushEvents();
    stack.emulator!.control.advanceClock(ms);
    await runTimer();
  };
  const runTimer = (): Promise<void> => stack.runTimer('sendAwayEmails');

  it('emails bob once for a batch, not again until he reads, then again for a new batch', async () => {
    await send('first');
    await send('second');
    const last = await send('third <script>alert("x")</script> & <b>bold</b>');
    await after(5 * MINUTE);
    expect(mailbox('bob@example.com')).toHaveLength(0); // his delay is 15 minutes
    await after(11 * MINUTE);
    const [email] = mailbox('bob@example.com');
    expect(mailbox('bob@example.com')).toHaveLength(1);
    expect(email!.subject).toBe('3 unread messages in Weekend <plans>');
    expect(email!.plainText).toContain('Weekend <plans>: 3 unread from Alice');
    expect(email!.html).toContain('Weekend &#60;plans&#62;: 3 unread');
    expect(email!.html).toContain('from Alice');
    // What users wrote is text in the email, never markup.
    expect(email!.html).not.toContain('<script>');
    expect(email!.html).not.toContain('<b>bold');
    expect(email!.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#60;b&#62;bold');
    expect(email!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(email!.headers['List-Unsubscribe']).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/api\/notifications\/unsubscribe\?token=/,
    );
    expect(email!.html).toContain(`href="${stack.host.origin}"`);
    // The dev stack shows the mailbox to a newcomer.
    const page = await fetch(`${stack.host.origin}/dev/mailbox`);
    const html = await page.text();
    expect(html).toContain('3 unread messages in Weekend &#60;plans&#62;');
    expect(html).toContain('To bob@example.com');
    expect(html).not.toContain('<script>');

    await send('fourth');
    await send('fifth');
    await after(30 * MINUTE);
    expect(mailbox('bob@example.com')).toHaveLength(1);

    expect((await bob.request('POST', threadPath(threadId, '/read-receipts'), { messageId: last })).status).toBe(204);
    const fifthAndAll = await bob.request<{ items: Array<{ id: string }> }>('GET', threadPath(threadId, '/messages'));
    await bob.request('POST', threadPath(threadId, '/read-receipts'), { messageId: fifthAndAll.body.items[0]!.id });
    await send('after bob read');
    await after(16 * MINUTE);
    expect(mailbox('bob@example.com')).toHaveLength(2);
    expect(mailbox('bob@example.com')[1]!.subject).toBe('1 unread message in Weekend <plans>');
  });

  it('sends nothing to someone reading live', async () => {
    const latest = await bob.request<{ items: Array<{ id: string }> }>('GET', threadPath(threadId, '/messages'));
    await bob.request('POST', threadPath(threadId, '/read-receipts'), { messageId: latest.body.items[0]!.id });
    const tab = await openLiveTab(stack, bob, { autoReconnect: false });
    try {
      await send('while bob is online');
      await after(16 * MINUTE);
      expect(mailbox('bob@example.com')).toHaveLength(2);
    } finally {
      tab.connection.stop();
    }
  });

  it('unsubscribes through the link (GET shows a page, POST unsubscribes), for its own user only', async () => {
    const link = /<(.+)>/.exec(mailbox('bob@example.com')[0]!.headers['List-Unsubscribe']!)![1]!;
    const page = await call<string>(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<button type="submit">Unsubscribe</button>');

    const token = new URL(link).searchParams.get('token')!;
    const [user, expiry, mac] = token.split('.');
    const forCarol = `${Buffer.from('away-carol').toString('base64url')}.${expiry}.${mac}`;
    const forged = await call(`${stack.apiBaseUrl}/notifications/unsubscribe?token=${forCarol}`, { method: 'POST' });
    expect(forged.status).toBe(400);
    expect(user).toBe(Buffer.from('away-bob').toString('base64url'));
    const carolSettings = await carol.request<{ email: { enabled: boolean } }>('GET', '/me/notifications');
    expect(carolSettings.body.email.enabled).toBe(true);

    const done = await call(link, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.status).toBe(200);
    const settings = await bob.request<{ email: { enabled: boolean; address: string } }>('GET', '/me/notifications');
    expect(settings.body.email).toMatchObject({ enabled: false, address: 'bob@example.com' });

    await stack.emulator!.control.flushEvents();
    const latest = await bob.request<{ items: Array<{ id: string }> }>('GET', threadPath(threadId, '/messages'));
    await bob.request('POST', threadPath(threadId, '/read-receipts'), { messageId: latest.body.items[0]!.id });
    await send('after bob unsubscribed');
    await after(16 * MINUTE);
    expect(mailbox('bob@example.com')).toHaveLength(2);
  });

  it('waits out an ACS Email 429 and then sends the email once', async () => {
    const carolBefore = mailbox('carol@example.com').length;
    const latest = await carol.request<{ items: Array<{ id: string }> }>('GET', threadPath(threadId, '/messages'));
    await carol.request('POST', threadPath(threadId, '/read-receipts'), { messageId: latest.body.items[0]!.id });
    await send('for carol, while the quota is spent');
    await stack.emulator!.control.flushEvents();
    stack.emulator!.control.advanceClock(16 * MINUTE);
    stack.emulator!.control.email.setRateLimit({ send: [{ limit: 1, windowSeconds: 3600 }], status: [] });
    try {
      // Use up the hour's one email straight through the emulator's API, as another sender on the resource would.
      const { EmailClient } = await import('@azure/communication-email');
      const other = new EmailClient(stack.emulator!.connectionString, {
        tlsOptions: { ca: stack.emulator!.caCertPem },
      });
      await other.beginSend({
        senderAddress: 'DoNotReply@chat.localhost',
        recipients: { to: [{ address: 'someone@example.com' }] },
        content: { subject: 'quota', plainText: 'uses the quota' },
      });
      await runTimer();
      // Refused with 429: the runs pause for its Retry-After (what is left of the emulator's fixed hour window).
      expect(mailbox('carol@example.com')).toHaveLength(carolBefore);
      expect(stack.logs.some((record) => record.args[0] === 'away emails paused: ACS Email asks to wait')).toBe(true);
      let runs = 0;
      while (mailbox('carol@example.com').length === carolBefore && runs < 20) {
        await after(5 * MINUTE);
        runs += 1;
      }
      expect(mailbox('carol@example.com')).toHaveLength(carolBefore + 1);
      expect(mailbox('carol@example.com').at(-1)!.subject).toBe('1 unread message in Weekend <plans>');
      await after(60 * MINUTE);
      await after(60 * MINUTE);
      expect(mailbox('carol@example.com')).toHaveLength(carolBefore + 1);
    } finally {
      stack.emulator!.control.email.setRateLimit('CustomDomain');
    }
  });
});
