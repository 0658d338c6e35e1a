import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { type Browser, chromium, type Page } from 'playwright-core';

import { type ApiUser, signIn } from '../helpers/api';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers/chromium';
import { startTestStack, type TestStack } from '../helpers/stack';
import { signInAs } from '../helpers/web-app';

const executablePath = chromiumPath();
const describeWithBrowser = executablePath ? describe : describe.skip;

/** The requests a polling page makes: the inbox and a thread's message list (a single message by id is not one). */
const POLL = /^GET \/api\/(inbox(\/unread)?|threads\/[^/]+\/messages)$/;

/**
 * A tab of the web app (web/) as one user, recording the API requests it makes and the frames its socket receives.
 */
interface Tab {
  page: Page;
  requests: string[];
  frames: string[];
  /** WebSockets the page opened (1 while nothing had to be replaced). */
  sockets: number;
}

describeWithBrowser('the web app live (Web PubSub): alice, bob and carol in three windows', () => {
  let stack: TestStack;
  let browser: Browser;
  let alice: Tab;
  let bob: Tab;
  let carol: Tab;
  let aliceApi: ApiUser;
  let plansThreadId: string;

  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true });
    browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS, headless: true });
    [alice, bob, carol] = await Promise.all([openTab(1024), openTab(375), openTab(800)]);
    alice.page.on(
      'dialog',
      (dialog) => void dialog.accept(dialog.type() === 'prompt' ? 'Noon works (edited)' : undefined),
    );
    aliceApi = await signIn(stack, 'live-alice', { name: 'Alice' });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function openTab(width: number): Promise<Tab> {
    const page = await (await browser.newContext({ viewport: { width, height: 740 } })).newPage();
    // A step that waits in vain fails on its own line, well inside the test's timeout.
    page.setDefaultTimeout(15_000);
    const tab: Tab = { page, requests: [], frames: [], sockets: 0 };
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === stack.host.origin) tab.requests.push(`${request.method()} ${url.pathname}`);
    });
    page.on('websocket', (socket) => {
      tab.sockets += 1;
      socket.on('framereceived', ({ payload }) => tab.frames.push(typeof payload === 'string' ? payload : ''));
    });
    return tab;
  }

  const polls = (tab: Tab): string[] => tab.requests.filter((request) => POLL.test(request));
  const messages = (tab: Tab) => tab.page.getByRole('log', { name: 'Messages' });
  const threadButton = (tab: Tab, name: string | RegExp) =>
    tab.page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name });
  const chatTexts = (tab: Tab): Promise<string[]> => messages(tab).locator('article .text').allTextContents();

  const signInTab = (tab: Tab, userId: string, displayName: string): Promise<void> =>
    signInAs(tab.page, stack.host.origin, { userId, displayName, connection: 'Live' });

  /** Sends as the tab's user and waits for the API's 201 (the sender's own window shows the message then). */
  async function send(tab: Tab, text: string): Promise<void> {
    const sent = tab.page.waitForResponse(
      (response) => response.request().method() === 'POST' && /\/api\/threads\/[^/]+\/messages$/.test(response.url()),
    );
    await tab.page.getByLabel('Message', { exact: true }).fill(text);
    await tab.page.getByLabel('Message', { exact: true }).press('Enter');
    const response = await sent;
    // A refused send (the machine too slow for an upstream timeout, say) fails here, saying why.
    expect([text, response.status(), response.status() === 201 ? '' : await response.text()]).toEqual([text, 201, '']);
  }

  /** Opens a thread in the list; the fetches that opening makes are not polls, so the request logs start again. */
  async function openThread(tab: Tab, topic: string): Promise<void> {
    await threadButton(tab, new RegExp(`^${topic}`)).click();
    await tab.page.getByRole('heading', { name: topic, exact: true }).waitFor();
    await messages(tab).waitFor();
    await tab.page.waitForLoadState('networkidle');
    tab.requests.length = 0;
  }

  it('signs everyone in live and shows a new thread in the invitees’ lists without any polling', async () => {
    await signInTab(alice, 'live-alice', 'Alice');
    await signInTab(bob, 'live-bob', 'Bob');
    await signInTab(carol, 'live-carol', 'Carol');
    for (const tab of [bob, carol]) tab.requests.length = 0;

    await alice.page.getByLabel('New thread topic').fill('Plans');
    await alice.page.getByLabel('Participants (user names, comma separated)').fill('live-bob, live-carol');
    await alice.page.getByRole('button', { name: 'Create thread' }).click();
    await alice.page.getByRole('heading', { name: 'Plans', exact: true }).waitFor();
    await threadButton(bob, /^Plans/).waitFor();
    await threadButton(carol, /^Plans/).waitFor();
    expect(polls(bob)).toEqual([]);
    expect(polls(carol)).toEqual([]);

    await openThread(bob, 'Plans');
    await openThread(carol, 'Plans');
    alice.requests.length = 0;
    const listed = await aliceApi.request<{ items: { id: string; topic: string }[] }>('GET', '/threads');
    plansThreadId = listed.body.items.find((thread) => thread.topic === 'Plans')!.id;
  });

  it('shows "Alice is typing…", her message, her edit, her delete and her read receipt live', async () => {
    await alice.page.getByLabel('Message', { exact: true }).fill('Lunch at');
    await bob.page.getByText('Alice is typing…').waitFor();

    await send(alice, 'Lunch at noon?');
    await messages(bob).getByText('Lunch at noon?', { exact: true }).waitFor();
    // The message ends the typing notice without waiting for it to time out.
    await bob.page.getByText('Alice is typing…').waitFor({ state: 'hidden' });
    // Bob's open window read it (a read receipt): alice sees it under her message.
    await messages(alice)
      .getByText(/^Seen by .*bob/i)
      .waitFor();

    await send(alice, 'This one goes away');
    await messages(bob).getByText('This one goes away', { exact: true }).waitFor();
    const mine = (text: string) => messages(alice).getByRole('article').filter({ hasText: text });
    await mine('Lunch at noon?').getByRole('button', { name: 'Edit' }).click();
    await messages(bob).getByText('Noon works (edited)', { exact: true }).waitFor();
    await mine('This one goes away').getByRole('button', { name: 'Delete' }).click();
    await messages(bob).getByText('Message deleted').waitFor();
    expect(await messages(bob).getByText('This one goes away').count()).toBe(0);

    await send(bob, 'Noon it is');
    await messages(alice).getByText('Noon it is', { exact: true }).waitFor();
    await messages(bob)
      .getByText(/^Seen by .*alice/i)
      .waitFor();
    for (const tab of [alice, bob, carol]) expect(polls(tab)).toEqual([]);
  });

  it("raises bob's unread badge while he is elsewhere, and lowers it when he reads", async () => {
    await alice.page.getByLabel('New thread topic').fill('Errands');
    await alice.page.getByLabel('Participants (user names, comma separated)').fill('live-bob');
    await alice.page.getByRole('button', { name: 'Create thread' }).click();
    await alice.page.getByRole('heading', { name: 'Errands', exact: true }).waitFor();
    await send(alice, 'Milk');
    await send(alice, 'Bread');
    await threadButton(bob, 'Errands (2 unread)')
      .waitFor()
      .catch(async (error: unknown) => {
        // What bob's page shows and received, and what the backend could not push: the cause, when this fails.
        const list = await bob.page.getByRole('navigation', { name: 'Conversations' }).innerText();
        const frames = bob.frames.filter((frame) => /Errands|Milk|Bread/.test(frame));
        const undelivered = stack.logs.filter(
          (log) => log.args[0] === 'live update not delivered' || log.level === 'error' || log.level === 'warning',
        );
        console.error('badge not shown', {
          list,
          frames,
          undelivered: JSON.stringify(undelivered).slice(-4000),
          delivery: await stack.emulator!.control.flushEvents(1000),
          connections: stack.webPubSub!.control.listConnections(),
          sockets: bob.sockets,
          state: await bob.page.getByRole('status', { name: 'Connection' }).innerText(),
          seq: bob.frames
            .map((frame) => /"sequenceId":(\d+)/.exec(frame)?.[1] ?? /"event":"(\w+)"/.exec(frame)?.[1])
            .join(','),
        });
        throw error;
      });
    expect(polls(bob)).toEqual([]);

    await openThread(bob, 'Errands');
    await threadButton(bob, /^Errands$/).waitFor();
    await openThread(bob, 'Plans');
    await openThread(alice, 'Plans');
  });

  it("shows a message sent straight to ACS with bob's issued token in alice's window", async () => {
    const bobApi = await signIn(stack, 'live-bob', { name: 'Bob' });
    const issued = await bobApi.request<{ token: string; endpoint: string }>('POST', '/token');
    const direct = new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
    }).getChatThreadClient(plansThreadId);
    await direct.sendMessage({ content: 'Straight to ACS' }, { senderDisplayName: 'Bob' });
    await messages(alice).getByText('Straight to ACS', { exact: true }).waitFor();
    expect(polls(alice)).toEqual([]);
  });

  it('tells carol she was removed, and then sends her socket nothing more of the thread', async () => {
    await alice.page.getByRole('button', { name: /^Remove .*carol/i }).click();
    await carol.page.getByText('You were removed from the thread.').waitFor();
    await threadButton(carol, /^Plans/).waitFor({ state: 'detached' });
    const framesBefore = carol.frames.length;

    await send(alice, 'Only for Bob now');
    await messages(bob).getByText('Only for Bob now', { exact: true }).waitFor();
    expect(await stack.emulator!.control.flushEvents()).toMatchObject({ settled: true, deadLettered: 0 });
    const later = carol.frames.slice(framesBefore);
    expect(later.filter((frame) => frame.includes(plansThreadId))).toEqual([]);
    expect(await carol.page.getByText('Only for Bob now').count()).toBe(0);
  });

  it('loses nothing in a 5 s network drop: 20 messages sent meanwhile appear once each, in order', async () => {
    const sent = Array.from({ length: 20 }, (_, index) => `drop ${index + 1}`);
    // ACS allows 10 messages per thread in 10 s (the emulator too): 20 in 5 s needs its rate limits off.
    stack.emulator!.control.setRateLimiting(false);
    const outageEnds = Date.now() + 5000;
    expect(stack.webPubSub!.control.dropAllConnections({ forMs: 5000 })).toBeGreaterThan(0);
    for (const content of sent) {
      const response = await aliceApi.request('POST', `/threads/${encodeURIComponent(plansThreadId)}/messages`, {
        content,
        senderDisplayName: 'Alice',
      });
      expect(response.status).toBe(201);
    }
    expect(Date.now()).toBeLessThan(outageEnds);
    stack.emulator!.control.setRateLimiting(true);

    for (const tab of [bob, alice]) {
      await messages(tab).getByText('drop 20', { exact: true }).waitFor({ timeout: 25_000 });
      expect((await chatTexts(tab)).filter((text) => text.startsWith('drop '))).toEqual(sent);
      await tab.page.getByRole('status', { name: 'Connection' }).getByText('Live').waitFor();
      // Recovered, not replaced: the connection resumed where it stopped, so nothing had to be fetched again.
      expect(polls(tab)).toEqual([]);
    }
  }, 60_000);
});
