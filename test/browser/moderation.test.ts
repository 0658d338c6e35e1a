import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { type Browser, chromium, type Page } from 'playwright-core';

import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers/chromium';
import { addBlocklistTerms } from '../helpers/content-safety';
import { startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/wait';
import { see, signInAs } from '../helpers/web-app';

const executablePath = chromiumPath();
const describeWithBrowser = executablePath ? describe : describe.skip;

const SPAM = 'Cheap pills at spam.example, click now';
const ABUSE = 'You are all idiots and I will find you';
const BOBS_OWN = 'Bob here, see you at noon';
const STRAIGHT_TO_ACS = 'Fresh grapefruit, straight to ACS';
const NOTICE = 'Your message was removed by moderation (Blocked term).';

/** A live update as alice's page received it over its socket: the type, and the message it is about. */
interface Heard {
  type: string;
  messageId?: string;
}

describeWithBrowser('moderation in the web app: report, review, delete, ban and unban, in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  let admin: Page;
  let aliceApi: ApiUser;
  let threadId: string;
  /** Every live update alice's page received (read off its WebSocket frames), to say what happened on a failure. */
  const aliceHeard: Heard[] = [];

  beforeAll(async () => {
    // Chat events on: a deletion reaches the other windows as a live update, as in `npm run dev`. Content checks on,
    // with a blocklisted word and a word the emulator scores as violent.
    stack = await startTestStack({}, { chatEvents: true, contentSafety: true });
    await addBlocklistTerms(stack.contentSafety!, 'chat-blocklist', ['grapefruit']);
    stack.contentSafety!.control.setSeverityTerms([{ term: 'menace', category: 'Violence', severity: 5 }]);
    browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS, headless: true });
    const newPage = async (): Promise<Page> => {
      const page = await (await browser.newContext({ viewport: { width: 1024, height: 800 } })).newPage();
      page.setDefaultTimeout(10_000);
      return page;
    };
    [alice, bob, admin] = await Promise.all([newPage(), newPage(), newPage()]);
    alice.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        const heard = liveUpdateIn(payload);
        if (heard) aliceHeard.push(heard);
      }),
    );
    // Banning asks the admin to confirm.
    admin.on('dialog', (dialog) => void dialog.accept());

    // The thread and alice's messages come through the API: the pages are what is under test.
    aliceApi = await signIn(stack, 'mod-alice', { name: 'Alice' });
    const created = await aliceApi.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'Town square',
      participants: [{ userId: 'mod-bob', displayName: 'Bob' }],
    });
    expect(created.status).toBe(201);
    threadId = created.body.thread.id;
    const bobApi = await signIn(stack, 'mod-bob', { name: 'Bob' });
    for (const [user, content] of [
      [aliceApi, SPAM],
      [aliceApi, ABUSE],
      [bobApi, BOBS_OWN],
    ] as const) {
      const sent = await user.request('POST', threadPath(threadId, '/messages'), {
        content,
        senderDisplayName: user === aliceApi ? 'Alice' : 'Bob',
      });
      expect([content, sent.status]).toEqual([content, 201]);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const heardOf = (messageId: string): string[] =>
    aliceHeard.filter((update) => update.messageId === messageId).map((update) => update.type);
  const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
  const messageWith = (page: Page, text: string) => messages(page).getByRole('article').filter({ hasText: text });
  const reports = () => admin.getByRole('list', { name: 'Open reports' });
  const reportOf = (text: string) => reports().getByRole('listitem').filter({ hasText: text });

  async function openThread(page: Page): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /^Town square/ })
      .click();
    await see(page, 'the thread open', messages(page).getByText(BOBS_OWN));
  }

  async function report(text: string, reason: string, note: string): Promise<void> {
    await messageWith(bob, text).getByRole('button', { name: 'Report' }).click();
    const dialog = bob.getByRole('dialog', { name: 'Report a message' });
    await dialog.getByLabel('Reason').selectOption(reason);
    await dialog.getByLabel('Note for the moderators (optional)').fill(note);
    await dialog.getByRole('button', { name: 'Report' }).click();
    await see(bob, 'the report acknowledged', bob.getByRole('status').getByText('Reported: thank you.'));
    await see(bob, '"Reported" in place of the action', messageWith(bob, text).getByText('Reported', { exact: true }));
  }

  it('bob reports; the admin deletes the message for everyone, then bans alice, who sees it, and lifts the ban', async () => {
    // Whether a page offers moderation is the API's answer to a probe; bob's says no.
    const bobProbed = bob.waitForResponse((response) => response.url().includes('/api/moderation/reports'));
    await Promise.all([
      signInAs(alice, stack.host.origin, { userId: 'mod-alice', displayName: 'Alice', connection: 'Live' }),
      signInAs(bob, stack.host.origin, { userId: 'mod-bob', displayName: 'Bob', connection: 'Live' }),
      signInAs(admin, stack.host.origin, { userId: 'mod-admin', displayName: 'Moderator', admin: true }),
    ]);
    expect((await bobProbed).status()).toBe(403);
    expect(await bob.getByRole('button', { name: 'Moderation' }).isVisible()).toBe(false);
    await Promise.all([openThread(alice), openThread(bob)]);

    // Report is offered on others' messages only: bob's own has Edit and Delete, and no Report.
    expect(await messageWith(bob, SPAM).getByRole('button', { name: 'Report' }).count()).toBe(1);
    expect(await messageWith(bob, BOBS_OWN).getByRole('button').allTextContents()).toEqual(['Edit', 'Delete']);
    await report(SPAM, 'spam', 'Third time today');

    await admin.getByRole('button', { name: 'Moderation' }).click();
    await see(admin, "the report, with the message's text as reported", reportOf(SPAM));
    expect(await reportOf(SPAM).innerText()).toMatch(/Spam · reported by mod-bob[\s\S]*Reporter's note: Third time/);
    await reportOf(SPAM).getByRole('button', { name: 'Delete message' }).click();
    await see(admin, 'the deletion confirmed', admin.getByRole('status').getByText('The message is deleted.'));
    await see(admin, 'the resolved report gone from the list', reportOf(SPAM), 'detached');
    for (const [page, who] of [
      [alice, "alice's"],
      [bob, "bob's"],
    ] as const)
      await see(page, `the message gone from ${who} window`, messages(page).getByText(SPAM), 'detached');

    await report(ABUSE, 'harassment', 'A threat');
    await admin.getByRole('button', { name: 'Refresh reports' }).click();
    await reportOf(ABUSE).getByRole('button', { name: 'Ban sender' }).click();
    await see(admin, 'the ban confirmed', admin.getByRole('status').getByText('The sender is banned.'));
    await see(admin, 'alice in the bans list', admin.getByRole('button', { name: 'Unban mod-alice' }));
    await see(
      admin,
      'the ban in the audit trail',
      admin
        .getByRole('table', { name: 'Audit trail' })
        .getByRole('row')
        .filter({ has: admin.getByRole('cell', { name: 'Ban', exact: true }) })
        .filter({ hasText: 'Reported for harassment' }),
    );

    // Alice's page learns of it at once, without a request of its own: the ban closed her live connection, and its
    // reconnection is refused. A reload says so too.
    const banned = alice.getByRole('alert', { name: 'Banned' });
    await see(alice, 'the banned notice, unasked', banned.getByText('You are banned from this chat'));
    expect(await banned.innerText()).toContain('Reported for harassment');
    await alice.reload();
    await see(alice, 'the banned notice on load', banned.getByText('You are banned from this chat'));

    await admin.getByRole('button', { name: 'Unban mod-alice' }).click();
    await see(admin, 'the unban confirmed', admin.getByRole('status').getByText('mod-alice may use the chat again.'));
    await banned.getByRole('button', { name: 'Try again' }).click();
    await see(alice, 'the chat back', alice.getByRole('heading', { name: 'ACS chat · Alice' }));
    await openThread(alice);
  });

  it('removes a blocklisted message alice sent straight to ACS: she is told once, and it is gone from both windows', async () => {
    // Alice's own ACS token, as any client of the API gets it, and the official Chat SDK: the message never passes
    // the API's check, so it reaches ACS (and both windows, live) and is checked after the fact from its event.
    const issued = await aliceApi.request<{ token: string; endpoint: string }>('POST', '/token');
    expect(issued.status).toBe(200);
    const direct = new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
    }).getChatThreadClient(threadId);
    // Event Grid promises neither order nor promptness: events are held here for a moment, so the deletion's own
    // event (messageDeleted) reaches alice well after the notice, as it can in Azure.
    stack.emulator!.control.setEventDelivery({ reorder: true, reorderWindowMs: 300 });
    try {
      const shownAtNotice = await watchForNotice(alice, NOTICE, STRAIGHT_TO_ACS);
      const sent = await direct.sendMessage({ content: STRAIGHT_TO_ACS }, { senderDisplayName: 'Alice' });
      /** For a failure: whether ACS still holds the message, and what alice's socket brought of it. */
      const serverSide = (): string => {
        const inAcs = stack.emulator!.control.getThread(threadId)?.messages.find(({ id }) => id === sent.id);
        const acs = !inAcs ? 'not in ACS' : inAcs.deletedOn ? 'deleted in ACS' : 'still in ACS, not deleted';
        return `The message is ${acs}; alice's page heard of it: ${heardOf(sent.id).join(', ') || 'nothing'}.`;
      };
      const notice = alice.getByRole('status').filter({ hasText: 'removed by moderation' });
      const inAlice = messages(alice).locator(`[data-message-id="${sent.id}"]`);
      await see(alice, 'the removal notice', notice.getByText(NOTICE), 'visible', serverSide);
      // The notice and the removal come with the same update: the text is gone the moment the notice shows, before
      // the deletion itself arrives.
      expect(await shownAtNotice()).toBe('the message gone');
      await see(
        alice,
        'the removal in place of the message',
        inAlice.getByText('Removed by moderation (Blocked term)'),
      );

      await see(
        bob,
        "the deletion in bob's window",
        messages(bob).locator(`[data-message-id="${sent.id}"]`).getByText('Message deleted'),
        'visible',
        serverSide,
      );
      expect(await messages(bob).getByText(STRAIGHT_TO_ACS).count()).toBe(0);

      // Alice's page had the message live first; the deletion reaching it after the notice changes neither: the
      // message stays removed, and she is told once.
      const heard = await eventually(
        () => heardOf(sent.id),
        (types) => types.includes('messageDeleted'),
      );
      expect(heard).toEqual(expect.arrayContaining(['messageCreated', 'messageRejected', 'messageDeleted']));
      expect(await inAlice.innerText()).toContain('Removed by moderation (Blocked term)');
      expect(await notice.innerText()).toBe(NOTICE);
      expect(await messages(alice).getByText(STRAIGHT_TO_ACS).count()).toBe(0);
    } finally {
      stack.emulator!.control.setEventDelivery({ reorder: false });
    }
  });

  it('keeps a refused message in the composer and names what flagged it; the same for an edit and a new topic', async () => {
    const composer = alice.getByLabel('Message', { exact: true });
    await composer.fill('Fancy some grapefruit?');
    await composer.press('Enter');
    await see(
      alice,
      'the refusal notice',
      alice.getByRole('status').getByText('Not sent: your message was flagged (Blocked term).'),
    );
    expect(await composer.inputValue()).toBe('Fancy some grapefruit?');
    expect(await messages(alice).getByText('Fancy some grapefruit?').count()).toBe(0);

    await composer.fill('Plain words');
    await composer.press('Enter');
    await see(alice, 'the accepted message', messages(alice).getByText('Plain words', { exact: true }));
    expect(await composer.inputValue()).toBe('');
    alice.once('dialog', (dialog) => void dialog.accept('Plain menace'));
    await messageWith(alice, 'Plain words').getByRole('button', { name: 'Edit' }).click();
    await see(
      alice,
      'the refused edit',
      alice.getByRole('status').getByText('Not saved: your edit was flagged (Violence).'),
    );
    expect(await messages(alice).getByText('Plain menace').count()).toBe(0);

    await alice.getByLabel('New thread topic').fill('Grapefruit club');
    await alice.getByRole('button', { name: 'Create thread' }).click();
    await see(
      alice,
      'the refused topic',
      alice
        .getByRole('form', { name: 'New thread' })
        .getByRole('alert')
        .getByText('Not created: the topic was flagged (Blocked term).'),
    );
    expect(await alice.getByLabel('New thread topic').inputValue()).toBe('Grapefruit club');
  });

  it('sends while the content checks are down, and tells alice it will be checked later', async () => {
    stack.contentSafety!.control.startOutage();
    try {
      const composer = alice.getByLabel('Message', { exact: true });
      await composer.fill('Sent while the checks are down');
      await composer.press('Enter');
      await see(alice, 'the message sent', messages(alice).getByText('Sent while the checks are down'));
      await see(
        alice,
        'the pending-check notice',
        alice.getByRole('status').getByText('It will be checked by moderation'),
      );
    } finally {
      stack.contentSafety!.control.endOutage();
    }
  });
});

/** The live update a Web PubSub frame (JSON reliable protocol) carries, if any. */
function liveUpdateIn(payload: string | Buffer): Heard | undefined {
  try {
    const frame = JSON.parse(payload.toString()) as { type?: unknown; data?: unknown };
    const data = (typeof frame.data === 'string' ? JSON.parse(frame.data) : frame.data) as Record<string, unknown>;
    if (frame.type !== 'message' || typeof data?.['type'] !== 'string') return undefined;
    const message = data['message'] as { id?: unknown } | undefined;
    const messageId = typeof data['messageId'] === 'string' ? data['messageId'] : message?.id;
    return { type: data['type'], ...(typeof messageId === 'string' ? { messageId } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Watches `page` for the moment `notice` first shows in a status line (in the page, on every change of its DOM: not
 * polled, so nothing shown in between is missed); the function returned tells whether its message log still showed
 * `text` at that moment.
 */
async function watchForNotice(page: Page, notice: string, text: string): Promise<() => Promise<string>> {
  interface Shown {
    textContent: string | null;
  }
  /** The page's globals used here (no DOM types in the tests' TypeScript). */
  interface InPage {
    document: {
      body: unknown;
      querySelectorAll(selector: string): Iterable<Shown>;
      querySelector(s: string): Shown | null;
    };
    MutationObserver: new (onChange: () => void) => {
      observe(target: unknown, options: object): void;
      disconnect(): void;
    };
    noticeSeen?: Promise<string>;
  }
  await page.evaluate(
    ({ notice, text }) => {
      const page = globalThis as unknown as InPage;
      page.noticeSeen = new Promise((resolve) => {
        const check = (): void => {
          const statuses = [...page.document.querySelectorAll('[role="status"]')];
          if (!statuses.some((status) => status.textContent?.includes(notice))) return;
          observer.disconnect();
          const log = page.document.querySelector('[role="log"]');
          resolve(log?.textContent?.includes(text) ? 'the message still shown' : 'the message gone');
        };
        const observer = new page.MutationObserver(check);
        observer.observe(page.document.body, { childList: true, subtree: true, characterData: true });
        check();
      });
    },
    { notice, text },
  );
  return () => page.evaluate(() => (globalThis as unknown as InPage).noticeSeen ?? 'not watched');
}
