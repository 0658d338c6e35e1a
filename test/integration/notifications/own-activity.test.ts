import type { MailboxEntry } from '../../../emulator/email/control';
import { NotificationRepository } from '../../../src/storage/notification-repository';
import { createTableClients } from '../../../src/storage/table-clients';
import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { startTestStack, type TestStack } from '../../helpers/stack';

const MINUTE = 60_000;

/**
 * A due entry is written only when a thread goes from read to unread. An entry rewritten while it keeps exactly one
 * unread message (the user's own message in that thread, an edit, a deletion among two) starts no batch: it must not
 * schedule the user again (bench/away-emails.bench.ts found such inserts: more than one per batch).
 */
describe('away emails: activity in a thread that stays unread starts no new batch', () => {
  let stack: TestStack;
  let notifications: NotificationRepository;
  /** Signed in, and known to the backend with their address (POST /api/token). */
  const person = async (name: string): Promise<ApiUser> => {
    const user = await signIn(stack, `own-${name.toLowerCase()}`, { name, email: `${name.toLowerCase()}@example.com` });
    expect((await user.request('POST', '/token')).status).toBe(200);
    return user;
  };

  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true, emulatorClock: true, email: true });
    const { notifications: table } = createTableClients(stack.config.tables, () => {
      throw new Error('Azurite is reached by connection string');
    });
    notifications = new NotificationRepository(table);
  });
  afterAll(async () => {
    await stack?.close();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });

  const mailbox = (to: string): MailboxEntry[] =>
    stack.emulator!.control.email.messages().filter((message) => message.to.some((r) => r.address === to));
  const createThread = async (creator: ApiUser, topic: string, other: ApiUser): Promise<string> => {
    const created = await creator.request<{ thread: { id: string } }>('POST', '/threads', {
      topic,
      participants: [{ userId: other.userId }],
    });
    expect(created.status).toBe(201);
    return created.body.thread.id;
  };
  const send = async (from: ApiUser, threadId: string, content: string): Promise<string> => {
    const sent = await from.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content });
    expect(sent.status).toBe(201);
    return sent.body.id;
  };
  const dueFor = async (user: ApiUser): Promise<number> =>
    (await notifications.due(9_999_999_999_998, 1_000)).filter((entry) => entry.userId === user.userId).length;
  /** Events handled, both clocks moved on by `ms`, then one sendAwayEmails run. */
  const after = async (ms: number): Promise<void> => {
    await stack.emulator!.control.flushEvents();
    stack.emulator!.control.advanceClock(ms);
    await stack.runTimer('sendAwayEmails');
  };

  it("schedules nothing for bob's own message in a thread he has not read, and emails him no second time", async () => {
    const [alice, bob, carol] = [await person('Alice'), await person('Bob'), await person('Carol')];
    const withCarol = await createThread(carol, 'Budget', bob);
    const withAlice = await createThread(alice, 'Lunch', bob);
    await stack.emulator!.control.flushEvents();
    const fromCarol = await send(carol, withCarol, 'the numbers');
    await send(alice, withAlice, 'noon?');
    await after(16 * MINUTE);
    expect(mailbox('bob@example.com')).toHaveLength(1);
    expect(mailbox('bob@example.com')[0]!.subject).toBe('2 unread messages in 2 conversations');
    expect(await dueFor(bob)).toBe(0);

    // Bob reads carol's thread, and answers alice without reading hers (a reply sent straight to ACS, or by a client
    // that posts no read receipt): his entry for it is rewritten and still has one unread message.
    expect((await bob.request('POST', threadPath(withCarol, '/read-receipts'), { messageId: fromCarol })).status).toBe(
      204,
    );
    await send(bob, withAlice, 'on my way');
    await stack.emulator!.control.flushEvents();
    expect(await dueFor(bob)).toBe(0);
    await after(16 * MINUTE);
    // Alice's message was in the first email; bob, who just wrote in that thread, is not away.
    expect(mailbox('bob@example.com')).toHaveLength(1);
  });

  it('drops an entry that a late redelivery brings back for a batch the last email covered', async () => {
    const [dan, erin, fay] = [await person('Dan'), await person('Erin'), await person('Fay')];
    const first = await createThread(dan, 'Garden', erin);
    const second = await createThread(fay, 'Books', erin);
    await stack.emulator!.control.flushEvents();
    const fromFay = await send(fay, second, 'chapter one');
    await send(dan, first, 'tomatoes?');
    await after(16 * MINUTE);
    expect(mailbox('erin@example.com')).toHaveLength(1);
    // Erin reads fay's thread (so she has read since the email) ...
    await erin.request('POST', threadPath(second, '/read-receipts'), { messageId: fromFay });
    // ... and a redelivered event, very late, brings back the entry of dan's thread, whose batch that email covered.
    const [old] = (await notifications.due(9_999_999_999_998, 1_000)).filter((e) => e.userId === erin.userId);
    expect(old).toBeUndefined();
    const emailedOn = stack.emulator!.control.now() - 16 * MINUTE;
    await notifications.schedule({
      userId: erin.userId,
      threadId: first,
      unreadSince: emailedOn - MINUTE,
      dueOn: emailedOn,
    });
    await after(16 * MINUTE);
    expect(mailbox('erin@example.com')).toHaveLength(1);
    expect(await dueFor(erin)).toBe(0);
  });
});
