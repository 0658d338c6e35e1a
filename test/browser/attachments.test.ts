import { readFile } from 'node:fs/promises';

import { type Browser, chromium, type Page } from 'playwright-core';

import { signIn, threadPath } from '../helpers/api';
import { blobNames } from '../helpers/blob';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers/chromium';
import { HTML, PDF, png } from '../helpers/files';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/wait';
import { signInAs } from '../helpers/web-app';

const executablePath = chromiumPath();
const describeWithBrowser = executablePath ? describe : describe.skip;

/** Small, so that a file over it is cheap to make: the 30 MiB refusal and a 3 MiB liar both exceed it. */
const MAX_BYTES = 2 * 1024 * 1024;

describeWithBrowser('attachments in the web app: straight to Blob Storage and back, in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  /** Requests alice's page sends to Blob Storage (method and path). */
  const aliceBlobRequests: string[] = [];
  let threadId: string;

  beforeAll(async () => {
    // A Blob service of its own: the stack sets infra's CORS rule on it for this page's origin.
    stack = await startTestStack({ ATTACHMENT_MAX_BYTES: String(MAX_BYTES) }, { chatEvents: true, attachments: 'own' });
    browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS, headless: true });
    // Azurite's HTTPS certificate comes from the stack's own throwaway CA.
    const context = () => browser.newContext({ viewport: { width: 1024, height: 760 }, ignoreHTTPSErrors: true });
    alice = await (await context()).newPage();
    bob = await (await context()).newPage();
    for (const page of [alice, bob]) page.setDefaultTimeout(15_000);
    const blobOrigin = new URL(stack.info.blob!.endpoint).origin;
    alice.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === blobOrigin) aliceBlobRequests.push(`${request.method()} ${url.pathname}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
  const uploads = (page: Page) => page.getByRole('list', { name: 'Files to send' });

  async function attach(page: Page, files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles(files);
  }

  it('alice attaches an image and a PDF, sees them upload, and sends; bob sees the thumbnail and gets the PDF', async () => {
    await signInAs(alice, stack.host.origin, { userId: 'files-alice', displayName: 'Alice', connection: 'Live' });
    await signInAs(bob, stack.host.origin, { userId: 'files-bob', displayName: 'Bob', connection: 'Live' });
    await alice.getByLabel('New thread topic').fill('Holiday');
    await alice.getByLabel('Participants (user names, comma separated)').fill('files-bob');
    await alice.getByRole('button', { name: 'Create thread' }).click();
    await alice.getByRole('heading', { name: 'Holiday', exact: true }).waitFor();
    const listed = await (
      await signIn(stack, 'files-alice')
    ).request<{ items: Array<{ id: string }> }>('GET', '/threads');
    threadId = listed.body.items[0]!.id;

    await attach(alice, [
      { name: 'beach.png', mimeType: 'image/png', buffer: png(40, 30) },
      { name: 'tickets.pdf', mimeType: 'application/pdf', buffer: PDF },
    ]);
    // Each file shows a progress bar, and says when it is up.
    await uploads(alice).getByRole('progressbar', { name: 'Uploading beach.png' }).waitFor();
    await uploads(alice).locator('li[data-state="uploaded"]').nth(1).waitFor();
    expect(
      await uploads(alice)
        .getByRole('progressbar')
        .evaluateAll((bars) => bars.map((bar) => (bar as unknown as { value: number }).value)),
    ).toEqual([100, 100]);
    // The bytes went to Blob Storage (a PUT per file), never through the API.
    expect(aliceBlobRequests.filter((request) => request.startsWith('PUT'))).toHaveLength(2);

    await alice.getByLabel('Message', { exact: true }).fill('Booked!');
    await alice.getByLabel('Message', { exact: true }).press('Enter');
    await uploads(alice).locator('li').first().waitFor({ state: 'detached' });

    await bob
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /^Holiday/ })
      .click();
    const thumbnail = messages(bob).getByRole('img', { name: 'beach.png' });
    await thumbnail.waitFor();
    // Loaded from Blob Storage and decoded: its intrinsic width is the PNG's.
    // (Read from the test, not evaluated as a string in the page: its CSP allows no eval.)
    const naturalWidth = await eventually(
      () => thumbnail.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
      (width) => width > 0,
    );
    expect(naturalWidth).toBe(40);
    const download = bob.waitForEvent('download');
    await messages(bob)
      .getByRole('button', { name: /tickets\.pdf/ })
      .click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('tickets.pdf');
    expect((await readFile(await file.path())).equals(PDF)).toBe(true);

    // The redirect a native client follows: its Location, opened in bob's browser, downloads the same file.
    const bobApi = await signIn(stack, 'files-bob');
    const bobsView = await bobApi.request<{ items: Array<{ attachments?: Array<{ id: string; name: string }> }> }>(
      'GET',
      threadPath(threadId, '/messages'),
    );
    const pdfId = bobsView.body.items
      .flatMap((message) => message.attachments ?? [])
      .find((attachment) => attachment.name === 'tickets.pdf')!.id;
    const redirect = await call(`${stack.apiBaseUrl}${threadPath(threadId, `/attachments/${pdfId}`)}`, {
      token: bobApi.token,
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    const viaRedirect = bob.waitForEvent('download');
    await bob.evaluate((url) => {
      (globalThis as unknown as { location: { href: string } }).location.href = url;
    }, redirect.headers.get('location')!);
    expect((await readFile(await (await viaRedirect).path())).equals(PDF)).toBe(true);
  });

  it('carol, added later with the history hidden, gets 404 for both files', async () => {
    const aliceApi = await signIn(stack, 'files-alice');
    const carol = await signIn(stack, 'files-carol');
    const sent = await aliceApi.request<{ items: Array<{ attachments?: Array<{ id: string }> }> }>(
      'GET',
      threadPath(threadId, '/messages'),
    );
    const ids = sent.body.items.flatMap((message) => message.attachments ?? []).map((attachment) => attachment.id);
    expect(ids).toHaveLength(2);
    const added = await aliceApi.request('POST', threadPath(threadId, '/participants'), {
      participants: [{ userId: carol.userId, shareHistoryTime: new Date().toISOString() }],
    });
    expect(added.status).toBe(200);
    for (const id of ids)
      expect((await carol.request('GET', threadPath(threadId, `/attachments/${id}`))).status).toBe(404);
  });

  it('refuses an HTML file named .png at send, and a 30 MiB file before any link is given', async () => {
    await attach(alice, [{ name: 'cat.png', mimeType: 'image/png', buffer: HTML }]);
    await uploads(alice).locator('li[data-state="uploaded"]').waitFor();
    await alice.getByLabel('Message', { exact: true }).fill('look');
    await alice.getByLabel('Message', { exact: true }).press('Enter');
    await alice.getByRole('status').getByText('cat.png is not a image/png file. It was deleted.').waitFor();
    expect(await messages(bob).getByText('look', { exact: true }).count()).toBe(0);

    const putsBefore = aliceBlobRequests.length;
    await attach(alice, [{ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(30 * 1024 * 1024) }]);
    await uploads(alice)
      .getByText(/at most 2097152 may be attached/)
      .waitFor();
    expect(aliceBlobRequests.length).toBe(putsBefore);
  });

  it('refuses at send a file that lied about its size, and its blob is gone', async () => {
    // A client that declares 1 KB and then uploads 3 MiB with its link (a SAS cannot limit size).
    const outcome = await alice.evaluate(
      async ({ threadId: thread, bytes }) => {
        // Runs in the page (no DOM types in the tests' TypeScript): its session and origin.
        const page = globalThis as unknown as {
          sessionStorage: { getItem(key: string): string | null };
          location: { origin: string };
        };
        const session = JSON.parse(page.sessionStorage.getItem('acs-chat-dev-session')!) as { token: string };
        const headers = { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' };
        const api = `${page.location.origin}/api/threads/${encodeURIComponent(thread)}`;
        const link = (await (
          await fetch(`${api}/attachments`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ name: 'small.png', contentType: 'image/png', size: 1024 }),
          })
        ).json()) as { attachmentId: string; uploadUrl: string; uploadHeaders: Record<string, string> };
        const put = await fetch(link.uploadUrl, {
          method: 'PUT',
          headers: link.uploadHeaders,
          body: new Uint8Array(bytes),
        });
        const send = await fetch(`${api}/messages`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ content: 'liar', attachments: [link.attachmentId] }),
        });
        return { id: link.attachmentId, put: put.status, send: send.status, body: await send.text() };
      },
      { threadId, bytes: 3 * 1024 * 1024 },
    );
    expect(outcome.put).toBe(201);
    expect(outcome.send).toBe(413);
    expect(outcome.body).toContain('AttachmentTooLarge');
    expect((await blobNames(stack)).some((name) => name.endsWith(outcome.id))).toBe(false);
  });
});
