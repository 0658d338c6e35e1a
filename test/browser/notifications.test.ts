import { type Browser, chromium, type Page } from 'playwright-core';

import { type ApiUser, signIn } from '../helpers/api';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers/chromium';
import { startTestStack, type TestStack } from '../helpers/stack';
import { see, signInAs } from '../helpers/web-app';

const executablePath = chromiumPath();
const describeWithBrowser = executablePath ? describe : describe.skip;

const SIGN_IN_ADDRESS = 'alice@example.com';
const OTHER_ADDRESS = 'alice.work@example.com';

interface EmailSettings {
  enabled: boolean;
  address?: string;
  addressSource?: 'user' | 'token';
  delayMinutes: number;
}
interface ErrorBody {
  error: { code: string; details?: Array<{ message: string; target?: string }> };
}

describeWithBrowser('notification settings in the web app (on/off, delay, address), in Chromium at 375 px', () => {
  let stack: TestStack;
  let noEmail: TestStack;
  let browser: Browser;
  let alice: Page;
  let aliceApi: ApiUser;

  beforeAll(async () => {
    // The panel needs neither live updates nor attachments; one stack sends email (the emulator's), one does not.
    const options = { liveUpdates: false, attachments: false } as const;
    [stack, noEmail, browser] = await Promise.all([
      startTestStack({}, { ...options, email: true }),
      startTestStack({}, { ...options, email: false }),
      chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS, headless: true }),
    ]);
    alice = await newPhonePage();
    // Her API calls carry the same address as her sign-in, as the page's token does.
    aliceApi = await signIn(stack, 'notif-alice', { name: 'Alice', email: SIGN_IN_ADDRESS });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([stack?.close(), noEmail?.close()]);
  });

  async function newPhonePage(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 375, height: 740 } })).newPage();
    page.setDefaultTimeout(5_000);
    return page;
  }

  const panel = (page: Page) => page.getByRole('region', { name: 'Notifications' });
  const emailSwitch = (page: Page) => panel(page).getByRole('switch', { name: 'Email me about unread messages' });
  const delay = (page: Page) => panel(page).getByLabel(/^Delay/);
  const address = (page: Page) => panel(page).getByLabel('Email address');
  /** The panel's status line saying exactly `text` (a string filter would match any case and any part of it). */
  const statusSays = (page: Page, text: string | RegExp) =>
    panel(page)
      .getByRole('status')
      .filter({
        hasText: typeof text === 'string' ? new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : text,
      });

  /** What the form shows, in one object: a mismatch names every field at once. */
  async function form(page: Page) {
    return {
      on: await emailSwitch(page).isChecked(),
      delay: await delay(page).inputValue(),
      address: await address(page).inputValue(),
      note: await panel(page)
        .locator(`[id="${await address(page).getAttribute('aria-describedby')}"]`)
        .innerText(),
      signInAddressOffered: await panel(page).getByRole('button', { name: 'Use my sign-in address' }).isVisible(),
    };
  }

  async function saved(): Promise<EmailSettings> {
    const answer = await aliceApi.request<{ email: EmailSettings }>('GET', '/me/notifications');
    expect([answer.status, answer.text]).toEqual([200, expect.any(String)]);
    return answer.body.email;
  }

  async function save(page: Page, confirmation: string | RegExp): Promise<void> {
    await panel(page).getByRole('button', { name: 'Save' }).click();
    await see(page, `"${String(confirmation)}" after Save`, statusSays(page, confirmation));
  }

  /** The API's own reason for refusing `email` (its validation detail), which the page must show. */
  async function serverReason(email: Record<string, unknown>): Promise<string> {
    const refused = await aliceApi.request<ErrorBody>('PUT', '/me/notifications', { email });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'ValidationFailed']);
    return refused.body.error.details![0]!.message;
  }

  it('shows the sign-in address on with 15 minutes; turns off; sets another address and delay; goes back', async () => {
    await signInAs(alice, stack.host.origin, { userId: 'notif-alice', displayName: 'Alice', email: SIGN_IN_ADDRESS });
    // By keyboard: the header button opens the panel and takes the focus to its heading.
    await alice.getByRole('button', { name: 'Notifications', exact: true }).press('Enter');
    await see(alice, 'the settings loaded', emailSwitch(alice));
    expect(await alice.evaluate('document.activeElement?.outerHTML')).toBe('<h2 tabindex="-1">Notifications</h2>');
    expect(await form(alice)).toEqual({
      on: true,
      delay: '15',
      address: SIGN_IN_ADDRESS,
      note: expect.stringContaining('From your sign-in'),
      signInAddressOffered: false,
    });
    // Nothing spills sideways at 375 px.
    expect(await alice.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);

    // Off, with the keyboard's space bar on the switch.
    await emailSwitch(alice).press('Space');
    await save(alice, 'Saved: emails off.');
    expect(await saved()).toEqual({
      enabled: false,
      address: SIGN_IN_ADDRESS,
      addressSource: 'token',
      delayMinutes: 15,
    });

    // Another address and 30 minutes, on again.
    await emailSwitch(alice).check();
    await delay(alice).fill('30');
    await address(alice).fill(OTHER_ADDRESS);
    await save(alice, `Saved: emails on, to ${OTHER_ADDRESS} (set by you), 30 minutes after the first unread message.`);
    expect(await form(alice)).toEqual({
      on: true,
      delay: '30',
      address: OTHER_ADDRESS,
      note: expect.stringContaining('Set by you'),
      signInAddressOffered: true,
    });
    expect(await saved()).toEqual({ enabled: true, address: OTHER_ADDRESS, addressSource: 'user', delayMinutes: 30 });

    // Back to the sign-in address; the delay stays.
    await panel(alice).getByRole('button', { name: 'Use my sign-in address' }).click();
    await see(
      alice,
      'the sign-in address back',
      statusSays(alice, `Emails go to your sign-in address again: ${SIGN_IN_ADDRESS}.`),
    );
    expect(await form(alice)).toEqual({
      on: true,
      delay: '30',
      address: SIGN_IN_ADDRESS,
      note: expect.stringContaining('From your sign-in'),
      signInAddressOffered: false,
    });
    expect(await saved()).toEqual({
      enabled: true,
      address: SIGN_IN_ADDRESS,
      addressSource: 'token',
      delayMinutes: 30,
    });
  });

  it("after a reload shows what is saved; shows the server's reason for a bad delay or address, and saves nothing", async () => {
    // A fresh page, whatever the test before left on screen: the settings come back from the server.
    await alice.reload();
    await alice.getByRole('button', { name: 'Notifications', exact: true }).click();
    await see(alice, 'the settings loaded', emailSwitch(alice));
    const before = await saved();
    expect(await form(alice)).toMatchObject({
      on: before.enabled,
      delay: String(before.delayMinutes),
      address: before.address ?? '',
    });

    // The browser's own checks are off: the server's message is what the user reads.
    const [tooShort, notAnAddress] = await Promise.all([
      serverReason({ enabled: true, delayMinutes: 3 }),
      serverReason({ enabled: true, address: 'alice-at-example' }),
    ]);
    await delay(alice).fill('3');
    await save(alice, `Not saved. Delay: ${tooShort}`);
    expect(await panel(alice).getByRole('status').getAttribute('class')).toContain('error');

    await delay(alice).fill(String(before.delayMinutes));
    await address(alice).fill('alice-at-example');
    await save(alice, `Not saved. Email address: ${notAnAddress}`);
    expect(await saved()).toEqual(before);
  });

  it('says notifications are not available where the deployment sends no email', async () => {
    const page = await newPhonePage();
    await signInAs(page, noEmail.host.origin, { userId: 'notif-bob', displayName: 'Bob', email: 'bob@example.com' });
    await page.getByRole('button', { name: 'Notifications', exact: true }).click();
    await see(
      page,
      'a sentence saying emails are not available',
      statusSays(page, 'Email notifications are not available here: this deployment sends no email.'),
    );
    expect(await emailSwitch(page).isVisible()).toBe(false);
  });
});
