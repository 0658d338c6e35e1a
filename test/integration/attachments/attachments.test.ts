import { readFileSync } from 'node:fs';

import { connectLocalBlob } from '../../../dev/local-blob';
import { BlobFiles } from '../../../src/attachments/blob-files';
import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { attachmentsContainer, blobNames, blobRequest } from '../../helpers/blob';
import { HTML, PDF, png } from '../../helpers/files';
import { call } from '../../helpers/http';
import { openLiveTab } from '../../helpers/live';
import { startTestStack, type TestStack } from '../../helpers/stack';

interface Upload {
  attachmentId: string;
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
  expiresOn: string;
}
interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  width?: number;
  height?: number;
}

/** 4 KiB: small enough to lie about cheaply in tests. */
const MAX_BYTES = 4096;

describe('attachments: files uploaded straight to Blob Storage, carried by messages, fetched through short links', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;
  let carol: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack(
      // Threads idle 0.01 days (14.4 min of the emulator's clock) are pruned when pruning runs (the last test).
      { ATTACHMENT_MAX_BYTES: String(MAX_BYTES), THREAD_RETENTION_DAYS: '0.01' },
      { chatEvents: true, emulatorClock: true },
    );
    alice = await signIn(stack, 'att-alice');
    bob = await signIn(stack, 'att-bob');
    carol = await signIn(stack, 'att-carol');
  });
  afterAll(() => stack?.close());

  const flush = async (): Promise<void> => {
    expect(await stack.emulator!.control.flushEvents()).toMatchObject({ settled: true, deadLettered: 0 });
  };

  async function createThread(topic: string, others: ApiUser[] = [bob]): Promise<string> {
    const res = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic,
      participants: others.map((user) => ({ userId: user.userId })),
    });
    expect(res.status).toBe(201);
    await flush(); // inbox rows exist: upload links then cost no ACS call
    return res.body.thread.id;
  }

  async function upload(
    user: ApiUser,
    threadId: string,
    file: { name: string; contentType: string; bytes: Buffer; declaredSize?: number },
  ): Promise<Upload> {
    const link = await user.request<Upload>('POST', threadPath(threadId, '/attachments'), {
      name: file.name,
      contentType: file.contentType,
      size: file.declaredSize ?? file.bytes.length,
    });
    expect(link.status).toBe(201);
    const put = await blobRequest(stack, link.body.uploadUrl, {
      method: 'PUT',
      headers: link.body.uploadHeaders,
      body: file.bytes,
    });
    expect(put.status).toBe(201);
    return link.body;
  }

  const send = (user: ApiUser, threadId: string, attachments: string[], content = 'files') =>
    user.request<{ id?: string; error?: { code: string; message: string } }>(
      'POST',
      threadPath(threadId, '/messages'),
      {
        content,
        attachments,
      },
    );

  it('hands out a link for one new blob, valid at most 10 minutes, then a message carries the checked file', async () => {
    const threadId = await createThread('Photos');
    const bobTab = await openLiveTab(stack, bob);
    const image = png(3, 2);
    const before = Date.now();
    const picture = await upload(alice, threadId, { name: 'dot.png', contentType: 'image/png', bytes: image });
    const paper = await upload(alice, threadId, { name: 'notes 1.pdf', contentType: 'application/pdf', bytes: PDF });

    const link = new URL(picture.uploadUrl);
    expect(link.origin).toBe(new URL(stack.info.blob!.endpoint).origin);
    // A user delegation SAS (signed key ids, no account key), one blob, create/write/tag only, over HTTPS.
    expect(link.searchParams.get('sr')).toBe('b');
    expect(link.searchParams.get('sp')).toBe('cwt');
    expect(link.searchParams.get('spr')).toBe('https');
    expect(link.searchParams.get('skoid')).toBeTruthy();
    expect(Date.parse(picture.expiresOn) - before).toBeLessThanOrEqual(10 * 60_000 + 1000);
    expect(Date.parse(link.searchParams.get('se')!)).toBeLessThanOrEqual(Date.parse(picture.expiresOn) + 1000);

    const sent = await send(alice, threadId, [picture.attachmentId, paper.attachmentId], 'the photo and the notes');
    expect(sent.status).toBe(201);
    const messageId = sent.body.id!;

    const expected: Attachment[] = [
      { id: picture.attachmentId, name: 'dot.png', contentType: 'image/png', size: image.length, width: 3, height: 2 },
      { id: paper.attachmentId, name: 'notes 1.pdf', contentType: 'application/pdf', size: PDF.length },
    ];
    const got = await bob.request<{ attachments?: Attachment[]; metadata?: Record<string, string> }>(
      'GET',
      threadPath(threadId, `/messages/${messageId}`),
    );
    expect(got.body.attachments).toEqual(expected);
    expect(got.body.metadata).toBeUndefined(); // the backend's own metadata entries are not shown as the client's
    const listed = await bob.request<{ items: Array<{ id: string; attachments?: Attachment[] }> }>(
      'GET',
      threadPath(threadId, '/messages'),
    );
    expect(listed.body.items.find((message) => message.id === messageId)?.attachments).toEqual(expected);
    const live = await bobTab.next('messageCreated', (update) => update.message.id === messageId);
    expect(live.message.attachments).toEqual(expected);
    bobTab.connection.stop();
  });

  it('redirects a participant to a read link of at most 5 minutes; images inline, other files as downloads', async () => {
    const threadId = await createThread('Downloads');
    const picture = await upload(alice, threadId, { name: 'dot.png', contentType: 'image/png', bytes: png(1, 1) });
    const paper = await upload(alice, threadId, { name: 'notes 1.pdf', contentType: 'application/pdf', bytes: PDF });
    expect((await send(alice, threadId, [picture.attachmentId, paper.attachmentId])).status).toBe(201);

    const redirect = await call(`${stack.apiBaseUrl}${threadPath(threadId, `/attachments/${paper.attachmentId}`)}`, {
      token: bob.token,
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('x-content-type-options')).toBe('nosniff');
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    const location = new URL(redirect.headers.get('location')!);
    expect(location.searchParams.get('sp')).toBe('r');
    expect(Date.parse(location.searchParams.get('se')!) - Date.now()).toBeLessThanOrEqual(5 * 60_000 + 1000);
    const file = await blobRequest(stack, location.href);
    expect(file.status).toBe(200);
    expect(file.body.equals(PDF)).toBe(true);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe("attachment; filename*=UTF-8''notes%201.pdf");

    // Pages ask for the link as JSON: they cannot follow a cross-origin redirect with their token and read it.
    const asJson = await bob.request<{ url: string; expiresOn: string }>(
      'GET',
      threadPath(threadId, `/attachments/${paper.attachmentId}`),
      undefined,
      { accept: 'application/json' },
    );
    expect(asJson.status).toBe(200);
    expect((await blobRequest(stack, asJson.body.url)).body.equals(PDF)).toBe(true);

    const image = await call(`${stack.apiBaseUrl}${threadPath(threadId, `/attachments/${picture.attachmentId}`)}`, {
      token: alice.token,
      redirect: 'manual',
    });
    const shown = await blobRequest(stack, image.headers.get('location')!);
    expect(shown.headers['content-type']).toBe('image/png');
    expect(shown.headers['content-disposition']).toBe('inline');
  });

  it('refuses a file too large or of a refused type before any link, and anyone outside the thread', async () => {
    const threadId = await createThread('Limits');
    const path = threadPath(threadId, '/attachments');
    const tooLarge = await alice.request<{ error: { code: string } }>('POST', path, {
      name: 'big.png',
      contentType: 'image/png',
      size: 30 * 1024 * 1024,
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('AttachmentTooLarge');
    const html = await alice.request<{ error: { code: string } }>('POST', path, {
      name: 'page.html',
      contentType: 'text/html',
      size: 10,
    });
    expect(html.status).toBe(415);
    expect(html.body.error.code).toBe('AttachmentTypeNotAllowed');
    const bad = await alice.request('POST', path, { name: '../x.png', contentType: 'image/png', size: 1 });
    expect(bad.status).toBe(400);

    const outsider = await carol.request<{ error: { code: string } }>('POST', path, {
      name: 'a.png',
      contentType: 'image/png',
      size: 10,
    });
    expect(outsider.status).toBe(404);
    const anonymous = await call(`${stack.apiBaseUrl}${path}`, {
      method: 'POST',
      json: { name: 'a.png', contentType: 'image/png', size: 10 },
    });
    expect(anonymous.status).toBe(401);

    const picture = await upload(alice, threadId, { name: 'dot.png', contentType: 'image/png', bytes: png(1, 1) });
    expect((await send(alice, threadId, [picture.attachmentId])).status).toBe(201);
    const download = threadPath(threadId, `/attachments/${picture.attachmentId}`);
    expect((await carol.request('GET', download)).status).toBe(404);
    expect((await call(`${stack.apiBaseUrl}${download}`, { redirect: 'manual' })).status).toBe(401);
    // The same id under another thread's path is not found either.
    const other = await createThread('Elsewhere', [carol]);
    expect((await carol.request('GET', threadPath(other, `/attachments/${picture.attachmentId}`))).status).toBe(404);
  });

  it('refuses at send a file that lies about its size or its type, and deletes it', async () => {
    const threadId = await createThread('Liars');
    const big = await upload(alice, threadId, {
      name: 'small.png',
      contentType: 'image/png',
      bytes: Buffer.concat([png(1, 1), Buffer.alloc(MAX_BYTES)]),
      declaredSize: 100,
    });
    const oversized = await send(alice, threadId, [big.attachmentId]);
    expect(oversized.status).toBe(413);
    expect(oversized.body.error?.code).toBe('AttachmentTooLarge');

    const fake = await upload(alice, threadId, { name: 'cat.png', contentType: 'image/png', bytes: HTML });
    const mismatch = await send(alice, threadId, [fake.attachmentId]);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error?.code).toBe('AttachmentContentMismatch');

    const names = await blobNames(stack);
    expect(names.some((name) => name.endsWith(big.attachmentId) || name.endsWith(fake.attachmentId))).toBe(false);
    // Nothing reached ACS: no message was posted.
    const listed = await alice.request<{ items: Array<{ type: string }> }>('GET', threadPath(threadId, '/messages'));
    expect(listed.body.items.filter((message) => message.type === 'text')).toEqual([]);
  });

  it('sends only uploads of the sender to this thread that exist and are not attached already', async () => {
    const threadId = await createThread('Ownership');
    const elsewhere = await createThread('Other thread');
    const link = await alice.request<Upload>('POST', threadPath(threadId, '/attachments'), {
      name: 'later.png',
      contentType: 'image/png',
      size: 10,
    });
    const notUploaded = await send(alice, threadId, [link.body.attachmentId]);
    expect(notUploaded.status).toBe(422);
    expect(notUploaded.body.error?.code).toBe('AttachmentNotUploaded');

    const other = await upload(alice, elsewhere, { name: 'x.png', contentType: 'image/png', bytes: png(1, 1) });
    expect((await send(alice, threadId, [other.attachmentId])).body.error?.code).toBe('AttachmentInvalid');
    const bobs = await upload(bob, threadId, { name: 'b.png', contentType: 'image/png', bytes: png(1, 1) });
    expect((await send(alice, threadId, [bobs.attachmentId])).body.error?.code).toBe('AttachmentInvalid');
    expect((await send(bob, threadId, [bobs.attachmentId])).status).toBe(201);
    expect((await send(bob, threadId, [bobs.attachmentId])).body.error?.code).toBe('AttachmentInvalid');
    expect((await send(bob, threadId, ['AAAAAAAAAAAAAAAAAAAAAA'])).body.error?.code).toBe('AttachmentInvalid');

    const reserved = await alice.request('POST', threadPath(threadId, '/messages'), {
      content: 'forged',
      metadata: { 'acsChatBackend.attachments': '[]' },
    });
    expect(reserved.status).toBe(400);
    const eleven = Array.from({ length: 11 }, (_, index) => `${'A'.repeat(21)}${String.fromCharCode(65 + index)}`);
    expect((await send(alice, threadId, eleven)).status).toBe(400);
  });

  it('keeps files from someone added later whose history is hidden', async () => {
    const threadId = await createThread('History');
    const picture = await upload(alice, threadId, { name: 'old.png', contentType: 'image/png', bytes: png(1, 1) });
    expect((await send(alice, threadId, [picture.attachmentId])).status).toBe(201);
    stack.emulator!.control.advanceClock(1000);
    const added = await alice.request('POST', threadPath(threadId, '/participants'), {
      participants: [{ userId: carol.userId, shareHistoryTime: new Date(stack.emulator!.control.now()).toISOString() }],
    });
    expect(added.status).toBe(200);
    await flush();
    const download = threadPath(threadId, `/attachments/${picture.attachmentId}`);
    expect((await carol.request<{ error: { code: string } }>('GET', download)).body.error.code).toBe(
      'AttachmentNotFound',
    );
    expect((await call(`${stack.apiBaseUrl}${download}`, { token: bob.token, redirect: 'manual' })).status).toBe(302);
  });

  it('links: an upload link reaches no other blob and no other operation, and an expired link is refused', async () => {
    const threadId = await createThread('Scope');
    const mine = await upload(alice, threadId, { name: 'a.png', contentType: 'image/png', bytes: png(1, 1) });
    const other = await upload(alice, threadId, { name: 'b.png', contentType: 'image/png', bytes: png(2, 2) });
    const link = new URL(mine.uploadUrl);
    const sas = link.search;
    const otherBlob = new URL(other.uploadUrl);
    otherBlob.search = sas;

    expect((await blobRequest(stack, link.href)).status).toBe(403); // read
    expect((await blobRequest(stack, link.href, { method: 'DELETE' })).status).toBe(403);
    const write = { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: Buffer.from('x') };
    expect((await blobRequest(stack, otherBlob.href, write)).status).toBe(403); // another blob
    const container = new URL(link.href);
    container.pathname = container.pathname.split('/').slice(0, 3).join('/');
    container.search = `${sas}&restype=container&comp=list`;
    expect((await blobRequest(stack, container.href)).status).toBe(403); // list

    // A link the app signed 11 minutes ago (its clock set back), expired a minute ago: Blob Storage refuses it.
    const blob = connectLocalBlob({ ...stack.info.blob!, blobEndpoint: stack.info.blob!.endpoint });
    const past = () => Date.now() - 11 * 60_000;
    const files = new BlobFiles(
      blob.blobEndpoint,
      stack.info.blob!.container,
      blob.credential,
      {
        tlsOptions: { ca: readFileSync(stack.info.blob!.caCertPath, 'utf8') },
      },
      past,
    );
    const expired = await files.uploadLink('expired/blob', 10 * 60_000);
    expect(expired.expiresOn.getTime()).toBeLessThan(Date.now());
    expect((await blobRequest(stack, expired.url, write)).status).toBe(403);
    expect(await attachmentsContainer(stack).getBlobClient('expired/blob').exists()).toBe(false);
  });

  it('deletes unclaimed uploads after an hour, and the files of deleted messages and threads', async () => {
    const threadId = await createThread('Clean-up');
    const unclaimed = await upload(alice, threadId, { name: 'u.png', contentType: 'image/png', bytes: png(1, 1) });
    const kept = await upload(alice, threadId, { name: 'k.png', contentType: 'image/png', bytes: png(1, 1) });
    const gone = await upload(alice, threadId, { name: 'g.pdf', contentType: 'application/pdf', bytes: PDF });
    const keptMessage = (await send(alice, threadId, [kept.attachmentId])).body.id!;
    const goneMessage = (await send(alice, threadId, [gone.attachmentId])).body.id!;
    const blobsOf = async (): Promise<string[]> =>
      (await blobNames(stack)).filter((name) =>
        [unclaimed, kept, gone].some((file) => name.endsWith(`/${file.attachmentId}`)),
      );
    expect(await blobsOf()).toHaveLength(3);

    // The sweep runs on the backend's clock (the emulator's here): an hour later the unclaimed upload goes.
    stack.emulator!.control.advanceClock(61 * 60_000);
    await stack.runTimer('sweepAttachments');
    expect((await blobsOf()).some((name) => name.endsWith(unclaimed.attachmentId))).toBe(false);

    expect((await alice.request('DELETE', threadPath(threadId, `/messages/${goneMessage}`))).status).toBe(204);
    await flush();
    expect((await blobsOf()).map((name) => name.split('/')[1])).toEqual([kept.attachmentId]);
    expect((await bob.request('GET', threadPath(threadId, `/attachments/${gone.attachmentId}`))).status).toBe(404);
    expect(keptMessage).toBeTruthy();

    expect((await alice.request('DELETE', threadPath(threadId))).status).toBe(204);
    await flush();
    expect(await blobsOf()).toEqual([]);
  });

  it('leaves no file of a pruned thread behind', async () => {
    const threadId = await createThread('Pruned');
    const files = await Promise.all(
      ['a.png', 'b.png', 'c.png'].map((name) =>
        upload(alice, threadId, { name, contentType: 'image/png', bytes: png(1, 1) }),
      ),
    );
    expect(
      (
        await send(
          alice,
          threadId,
          files.map((file) => file.attachmentId),
        )
      ).status,
    ).toBe(201);
    await flush();
    const prefix = (await blobNames(stack)).find((name) => name.endsWith(files[0]!.attachmentId))!.split('/')[0]!;

    stack.emulator!.control.advanceClock(20 * 60_000);
    const admin = await signIn(stack, 'att-admin', { roles: ['Chat.Admin'] });
    const prune = await admin.request<{ deleted: number }>('POST', '/maintenance/prune', {});
    expect(prune.status).toBe(200);
    expect(prune.body.deleted).toBeGreaterThan(0);
    await flush();
    expect((await alice.request('GET', threadPath(threadId))).status).toBe(404);
    expect((await blobNames(stack)).filter((name) => name.startsWith(`${prefix}/`))).toEqual([]);
  });
});
