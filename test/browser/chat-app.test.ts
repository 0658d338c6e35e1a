import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { CHROMIUM_ARGS, chromiumPath } from '../helpers/chromium';
import { startTestStack, type TestStack } from '../helpers/stack';
import { signInAs } from '../helpers/web-app';

const executablePath = chromiumPath();
const screenshots = path.resolve(__dirname, '../../.local/screenshots');
// scripts/test.mjs prints the skip (and fails it when CI=true); a run of this file alone says it here.
const describeWithBrowser = executablePath ? describe : describe.skip;

describeWithBrowser('the web app (web/) in Chromium without Web PubSub: alice and bob in two windows, polling', () => {
  let stack: TestStack;
  let browser: Browser;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    // Chat events on, as in `npm run dev`: they keep the inbox the thread list shows. No Web PubSub: the page falls
    // back to polling (test/browser/live-chat.test.ts runs it live).
    stack = await startTestStack({}, { chatEvents: true, liveUpdates: false });
    // launch() starts Chromium on a new, empty, temporary profile (user-data-dir) and removes it on close.
    browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS, headless: true });
    // Each user in a browser context of their own (own storage), alice on a laptop, bob on a 375 px phone.
    alice = await (await browser.newContext({ viewport: { width: 1024, height: 700 } })).newPage();
    bob = await (await browser.newContext({ viewport: { width: 375, height: 740 } })).newPage();
    // Edit asks for the new text (prompt), delete and leave ask for confirmation.
    alice.on('dialog', (dialog) => void dialog.accept(dialog.type() === 'prompt' ? 'Hi Bob (edited)' : undefined));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function signInPolling(page: Page, userId: string, displayName: string): Promise<void> {
    await signInAs(page, stack.host.origin, { userId, displayName, connection: 'No live connection' });
    // Reported, not asserted: how long the page took to load (the bundle is built on request by the dev host).
    const loadMs = Number(
      await page.evaluate('Math.round(performance.getEntriesByType("navigation")[0]?.loadEventEnd ?? -1)'),
    );
    console.info(`web app: page loaded in ${loadMs} ms for ${userId}`);
  }

  const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
  async function send(page: Page, text: string): Promise<void> {
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByLabel('Message', { exact: true }).press('Enter');
    await messages(page).getByText(text, { exact: true }).waitFor();
  }

  it('chats both ways, shows an edit and a delete on the other side, and never runs a message as code', async () => {
    await signInPolling(alice, 'web-alice', 'Alice');
    await alice.getByLabel('New thread topic').fill('Lunch');
    await alice.getByLabel('Participants (user names, comma separated)').fill('web-bob');
    await alice.getByRole('button', { name: 'Create thread' }).click();
    await alice.getByRole('heading', { name: 'Lunch' }).waitFor();
    await send(alice, 'Hi Bob');
    await send(alice, 'This one goes away');

    await signInPolling(bob, 'web-bob', 'Bob');
    // Bob's inbox shows the thread with alice's two messages unread; opening it reads them and the badge goes.
    const lunch = bob.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: /^Lunch/ });
    await bob.getByRole('button', { name: 'Lunch (2 unread)' }).waitFor();
    await lunch.click();
    await messages(bob).getByText('Hi Bob', { exact: true }).waitFor();
    await bob.getByRole('button', { name: 'Lunch', exact: true }).waitFor();
    await send(bob, 'Hi Alice, noon?');
    await messages(alice).getByText('Hi Alice, noon?').waitFor();
    await messages(alice)
      .getByText(/^Seen by /)
      .waitFor();

    const mine = (text: string) => messages(alice).getByRole('article').filter({ hasText: text });
    await mine('Hi Bob').getByRole('button', { name: 'Edit' }).click();
    await mine('This one goes away').getByRole('button', { name: 'Delete' }).click();
    await messages(bob).getByText('Hi Bob (edited)').waitFor();
    await messages(bob).getByText('Message deleted').waitFor();
    expect(await messages(bob).getByText('This one goes away').count()).toBe(0);

    const attack = '<script>window.pwned = true</script><img src="x" onerror="window.pwned = true">';
    await send(bob, attack);
    await messages(alice).getByText(attack, { exact: true }).waitFor();
    for (const page of [alice, bob])
      expect(await page.evaluate(() => (globalThis as { pwned?: boolean }).pwned)).toBeUndefined();

    await mkdir(screenshots, { recursive: true });
    await alice.screenshot({ path: path.join(screenshots, 'alice.png') });
    await bob.screenshot({ path: path.join(screenshots, 'bob.png') });
  });
});
