import { readFile } from 'node:fs/promises';

import { type Browser, chromium, type Page } from 'playwright-core';

import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers/chromium';
import { startTestStack, type TestStack } from '../helpers/stack';
import { see, signInAs } from '../helpers/web-app';

const executablePath = chromiumPath();
const describeWithBrowser = executablePath ? describe : describe.skip;

interface ExportFile {
  user?: { userId: string };
  threads: Array<{ threadId: string; topic: string; messages: Array<{ content?: { message?: string } }> }>;
}
interface ErasureState {
  status: 'running' | 'finished';
  requestedBy: 'self' | 'admin';
  stepsPending: string[];
}

describeWithBrowser(
  'account settings in the web app (download my data, delete my account), in Chromium at 375 px',
  () => {
    let stack: TestStack;
    let browser: Browser;
    let page: Page;
    let alice: ApiUser;
    let admin: ApiUser;
    let threadId: string;
    const MESSAGE = 'Hello from alice, for the export';

    beforeAll(async () => {
      [stack, browser] = await Promise.all([
        startTestStack({}, { chatEvents: true, liveUpdates: false, attachments: false }),
        chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS, headless: true }),
      ]);
      [alice, admin] = await Promise.all([
        signIn(stack, 'acct-alice', { name: 'Alice' }),
        signIn(stack, 'acct-admin', { roles: ['Chat.Admin'] }),
      ]);
      const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
        topic: 'Alice notes',
        participants: [],
      });
      expect(created.status).toBe(201);
      threadId = created.body.thread.id;
      const sent = await alice.request('POST', threadPath(threadId, '/messages'), { content: MESSAGE });
      expect(sent.status).toBeLessThan(300);
      page = await (
        await browser.newContext({ viewport: { width: 375, height: 740 }, acceptDownloads: true })
      ).newPage();
      page.setDefaultTimeout(5_000);
      await signInAs(page, stack.host.origin, { userId: alice.userId, displayName: 'Alice' });
    });
    afterAll(async () => {
      await browser?.close();
      await stack?.close();
    });

    const panel = () => page.getByRole('region', { name: 'Account', exact: true });
    const erasure = () => admin.request<ErasureState>('GET', `/users/${encodeURIComponent(alice.userId)}/erasure`);

    it('downloads every page of her data as my-chat-data.json: her user id, her thread and her message', async () => {
      await page.getByRole('button', { name: 'Account', exact: true }).press('Enter');
      await see(page, 'the account panel', panel().getByRole('heading', { name: 'Account', exact: true }));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        panel().getByRole('button', { name: 'Download my data' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('my-chat-data.json');
      const data = JSON.parse(await readFile(await download.path(), 'utf8')) as ExportFile;
      expect(data.user?.userId).toBe(alice.userId);
      const thread = data.threads.find((candidate) => candidate.threadId === threadId);
      expect(thread?.topic).toBe('Alice notes');
      expect(thread?.messages.map((message) => message.content?.message)).toContain(MESSAGE);
      await see(
        page,
        'the download confirmed',
        panel()
          .getByRole('status')
          .getByText(/^Downloaded my-chat-data\.json: 1 thread\./),
      );
    });

    it('asks before deleting: cancel leaves everything as it was', async () => {
      await panel().getByRole('button', { name: 'Delete my account…' }).click();
      const confirmation = panel().getByRole('group', { name: 'Confirm account deletion' });
      await see(page, 'the confirmation', confirmation.getByText('This cannot be undone.'));
      await expect(confirmation.getByText(/Messages you sent stay in their threads/).isVisible()).resolves.toBe(true);
      await confirmation.getByRole('button', { name: 'Cancel' }).click();
      // A hidden group has no role to find: gone, to a screen reader as to the eye.
      await see(page, 'the confirmation gone', confirmation, 'detached');
      await expect(panel().getByRole('button', { name: 'Delete my account…' }).isVisible()).resolves.toBe(true);
      expect((await erasure()).status).toBe(404);
      expect((await alice.request('GET', threadPath(threadId, '/messages'))).status).toBe(200);
    });

    it('confirmed: erases her account, says so with the erasure state, signs her out; the erasure finishes', async () => {
      await panel().getByRole('button', { name: 'Delete my account…' }).press('Enter');
      const confirmation = panel().getByRole('group', { name: 'Confirm account deletion' });
      await confirmation.getByRole('button', { name: 'Yes, delete my account' }).click();
      const notice = page.getByRole('region', { name: 'Account erasure' });
      await see(page, 'the erasing notice', notice.getByRole('heading', { name: 'Your account is being erased' }));
      await see(page, 'the erasure state', notice.getByRole('status').getByText(/^Erasure (running|finished)/));
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

      const started = await erasure();
      expect(started.status).toBe(200);
      expect(started.body.requestedBy).toBe('self');
      for (let run = 0; run < 10 && (await erasure()).body.status !== 'finished'; run += 1) {
        await stack.runTimer('continueErasures');
      }
      expect((await erasure()).body).toMatchObject({ status: 'finished', stepsPending: [] });
      await notice.getByRole('button', { name: 'Check again' }).click();
      await see(page, 'the erasure finished', notice.getByText('Erasure finished: your account and data are gone.'));

      await notice.getByRole('button', { name: 'Back to sign-in' }).click();
      await see(page, 'the sign-in page', page.getByRole('heading', { name: 'Sign in (dev stack)' }));
    });
  },
);
