import { type Browser, chromium, type Page } from 'playwright-core';

import { CHROMIUM_ARGS, chromiumPath } from '../test/helpers/chromium';

/**
 * For attachments.bench.ts: one file uploaded from Chromium through the web app, as a person does it (Attach files,
 * the file chooser), timed inside the page from the file input's change event to the upload's "Uploaded", with every
 * upload progress event XMLHttpRequest fires counted, then sent in a message.
 */

export interface BrowserUpload {
  /**
   * Page clock (ms): the file chosen, the PUT starting (the upload link answered), its body sent, Blob Storage's
   * answer, "Uploaded" shown.
   */
  chosenAt: number;
  putStartAt: number;
  putEndAt: number;
  answeredAt: number;
  uploadedAt: number;
  /** `progress` events on xhr.upload, and how many distinct whole percentages they gave the progress bar. */
  progressEvents: number;
  percentagesShown: number;
  /** Bytes the last progress event reported as sent, of the total. */
  loaded: number;
  total: number;
}

/**
 * Runs in the page before its own scripts: timestamps and progress counts in `window.__benchUpload`. A string, as the
 * benchmarks' TypeScript has no DOM types. Upload listeners must be added before send() for progress to be reported.
 */
const PAGE_PROBE = `(() => {
  const state = { chosenAt: 0, putStartAt: 0, putEndAt: 0, answeredAt: 0, uploadedAt: 0, progressEvents: 0,
    percentages: [], loaded: 0, total: 0 };
  window.__benchUpload = state;
  document.addEventListener('change', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === 'file') state.chosenAt = performance.now();
  }, true);
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    this.upload.addEventListener('loadstart', () => (state.putStartAt = performance.now()));
    this.upload.addEventListener('progress', (event) => {
      state.progressEvents += 1;
      state.loaded = event.loaded;
      state.total = event.total;
      const percent = Math.round((event.loaded / event.total) * 100);
      if (!state.percentages.includes(percent)) state.percentages.push(percent);
    });
    this.upload.addEventListener('load', () => (state.putEndAt = performance.now()));
    return send.call(this, body);
  };
  // Added at open(), before the page's own onload, so it times Blob Storage's answer and not what the page then does.
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (...args) {
    this.addEventListener('load', () => (state.answeredAt = performance.now()));
    return open.apply(this, args);
  };
  new MutationObserver((records) => {
    if (!state.uploadedAt && records.some((record) => record.target.dataset.state === 'uploaded'))
      state.uploadedAt = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
})();`;

interface PageProbeState extends Omit<BrowserUpload, 'percentagesShown'> {
  percentages: number[];
}

export interface WebAppSession {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Chromium signed in to the web app at `origin` as `userId`, live. */
export async function openWebApp(origin: string, userId: string): Promise<WebAppSession> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found (set CHROMIUM_PATH)');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    // Azurite's HTTPS certificate comes from the stack's own CA, which Chromium does not know.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(origin);
    await page.getByLabel('User name').fill(userId);
    await page.getByLabel('Display name').fill(userId);
    await page.getByLabel('Display name').press('Enter');
    await page.getByRole('status', { name: 'Connection' }).getByText('Live').waitFor();
    return { browser, page, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** Opens the thread named `topic`, attaches the file at `path` and waits for "Uploaded" (throws if it failed). */
export async function uploadInWebApp(page: Page, topic: string, path: string): Promise<BrowserUpload> {
  await page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: new RegExp(`^${topic}`) })
    .click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(path);
  const uploads = page.getByRole('list', { name: 'Files to send' });
  await uploads.locator('li[data-state]').waitFor();
  if ((await uploads.locator('li[data-state="uploaded"]').count()) === 0)
    throw new Error(`the web app's upload failed: ${await uploads.locator('li').innerText()}`);
  const { percentages, ...state } = await page.evaluate<PageProbeState>('window.__benchUpload');
  return { ...state, percentagesShown: percentages.length };
}

/** Sends the files waiting in the form with `content`, and waits until the form is clear (the message is sent). */
export async function sendInWebApp(page: Page, content: string): Promise<void> {
  const message = page.getByLabel('Message', { exact: true });
  await message.fill(content);
  await message.press('Enter');
  await page.getByRole('list', { name: 'Files to send' }).locator('li').first().waitFor({ state: 'detached' });
}
