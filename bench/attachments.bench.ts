import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SNIFF_BYTES } from '../src/attachments/content-check';
import { PDF } from '../test/helpers/files';
import { type BrowserUpload, openWebApp, sendInWebApp, uploadInWebApp } from './attachments-browser';
import { runBench } from './bench-main';
import type { BlobCall } from './blob-probe';
import { type ByteCountingProxy, type ProxiedRequest, startByteCountingProxy } from './byte-counting-proxy';
import { type BenchStack, percentile, startBenchStack } from './dev-stack';
import { type LiveServices, startLiveServices } from './live-services';

/**
 * Attachments (issue 23, "Measured"), on the dev stack (`npm run dev` in its own process: Azurite's Blob service over
 * HTTPS with the stack's CA, ACS's rate limits on):
 * 1. file bytes through the Functions app: every /api request goes through a proxy that counts body bytes while files
 *    are uploaded, sent and downloaded; the backend's own Blob Storage calls are seen from inside its process;
 * 2. upload link: latency, and ACS calls, Tables operations and Blob calls per link;
 * 3. a 20 MiB file uploaded from Chromium through the web app: time, and the progress events seen;
 * 4. download redirect (302): latency, and ACS calls and Tables operations per download.
 * Tables requests are counted by a proxy in front of Azurite's Table service (live-services.ts), ACS calls by the
 * emulator. Informational: timings never fail the run; refused requests, wrong content and file bytes through the
 * API do.
 */

const MiB = 1024 * 1024;
const FILES = Number(process.env.BENCH_ATTACH_FILES ?? 20);
const FILE_BYTES = Number(process.env.BENCH_ATTACH_FILE_BYTES ?? MiB);
const BIG_FILE_BYTES = 20 * MiB;
const LINKS = Number(process.env.BENCH_ATTACH_LINKS ?? 200);
const DOWNLOADS = Number(process.env.BENCH_ATTACH_DOWNLOADS ?? 200);
/** Untimed links first: the first one also fetches the user delegation key the backend then signs with. */
const WARM_UP_LINKS = 10;
/** Alice and Bob share each thread; spreading the work keeps each (user, thread) under ACS's read limits. */
const THREADS = 4;
const topicOf = (thread: number): string => `Files ${thread}`;

interface User {
  userId: string;
  token: string;
}

interface Bench {
  stack: BenchStack;
  services: LiveServices;
  /** In front of the dev host: every API request of phases 1 and 3 goes through it. */
  proxy: ByteCountingProxy;
  /** Blob Storage straight from the client, trusting the stack's CA. */
  blobAgent: https.Agent;
  probeLog: string;
  users: [User, User];
  threadIds: string[];
}

/** One file the benchmark moves: its bytes' digest, and its id once uploaded. */
interface BenchFile {
  name: string;
  bytes: number;
  sha256: string;
  thread: number;
  attachmentId?: string;
}

interface Upload {
  attachmentId: string;
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
}

/** Wrong behaviour: stops the run (its figures would mean nothing). */
function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`FAIL ${what}`);
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
/** A PDF's header (so the backend's type check passes) followed by random bytes. */
const pdfOf = (bytes: number): Buffer => Buffer.concat([PDF, randomBytes(bytes - PDF.length)]);

const threadUrl = (base: string, threadId: string, rest: string): string =>
  `${base}/threads/${encodeURIComponent(threadId)}${rest}`;
/** The API's base URL through the byte-counting proxy. */
const proxiedApi = (bench: Bench): string => `${bench.proxy.origin}${new URL(bench.stack.info.apiBaseUrl).pathname}`;

// --- Blob Storage, straight from the client ---

/** One request to Blob Storage; the answer's body is counted and hashed, not kept. */
function blobExchange(
  agent: https.Agent,
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const sent = body ? { 'content-length': String(body.length) } : {};
    const request = https.request(url, { method, agent, headers: { ...headers, ...sent } }, (response) => {
      const hash = createHash('sha256');
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes, sha256: hash.digest('hex') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

// --- The API ---

async function createLink(
  bench: Bench,
  base: string,
  user: User,
  threadId: string,
  file: Pick<BenchFile, 'name' | 'bytes'>,
): Promise<Upload> {
  const res = await bench.stack.send(threadUrl(base, threadId, '/attachments'), 'POST', user.token, {
    name: file.name,
    contentType: 'application/pdf',
    size: file.bytes,
  });
  check(res.status === 201, `an upload link answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json as Upload;
}

/** GET …/attachments/{id} without following it: the status, the read link, and how long the API took. */
async function redirectOf(
  base: string,
  user: User,
  threadId: string,
  attachmentId: string,
): Promise<{ status: number; location: string | null; ms: number }> {
  const started = performance.now();
  const response = await fetch(threadUrl(base, threadId, `/attachments/${encodeURIComponent(attachmentId)}`), {
    headers: { authorization: `Bearer ${user.token}` },
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return { status: response.status, location: response.headers.get('location'), ms: performance.now() - started };
}

/** Downloads `file` as `user` through the API's redirect, and checks it is the file uploaded. */
async function download(bench: Bench, base: string, user: User, file: BenchFile): Promise<number> {
  const threadId = bench.threadIds[file.thread]!;
  const redirect = await redirectOf(base, user, threadId, file.attachmentId!);
  check(redirect.status === 302 && redirect.location !== null, `a download answered ${redirect.status}, not 302`);
  const got = await blobExchange(bench.blobAgent, redirect.location, 'GET');
  check(got.status === 200, `Blob Storage answered ${got.status} to a read link`);
  check(got.sha256 === file.sha256 && got.bytes === file.bytes, `${file.name} came back different`);
  return got.bytes;
}

async function createThreads(bench: Bench): Promise<string[]> {
  const [alice, bob] = bench.users;
  const ids: string[] = [];
  for (let thread = 0; thread < THREADS; thread += 1) {
    const res = await bench.stack.send(`${bench.stack.info.apiBaseUrl}/threads`, 'POST', alice.token, {
      topic: topicOf(thread),
      participants: [{ userId: bob.userId }],
    });
    const id = (res.json as { thread?: { id?: string } } | undefined)?.thread?.id;
    check(res.status === 201 && id !== undefined, `creating a thread answered ${res.status}`);
    ids.push(id);
  }
  // The participant check reads the caller's inbox row: written when the thread's chat events are handled.
  await bench.stack.control.flushEvents(60_000);
  return ids;
}

// --- Counts ---

/** ACS calls (the emulator's counts), Tables requests (the proxy's) and the backend's Blob calls since `reset`. */
interface Calls {
  acs: Record<string, number>;
  tables: Record<string, number>;
  blob: BlobCall[];
}

function blobCallsSince(bench: Bench, mark: number): BlobCall[] {
  if (!existsSync(bench.probeLog)) return [];
  const lines = readFileSync(bench.probeLog, 'utf8').split('\n').filter(Boolean);
  return lines.slice(mark).map((line) => JSON.parse(line) as BlobCall);
}

/** Zeroes the counts once every chat event is handled (so none of that work is counted); returns a Blob call mark. */
async function resetCalls(bench: Bench): Promise<number> {
  await bench.stack.control.flushEvents(60_000);
  await Promise.all([bench.stack.control.resetCounts(), bench.services.reset()]);
  return blobCallsSince(bench, 0).length;
}

async function callsSince(bench: Bench, mark: number): Promise<Calls> {
  const [acs, services] = await Promise.all([bench.stack.control.requestCounts(), bench.services.counts()]);
  return { acs, tables: services.tables, blob: blobCallsSince(bench, mark) };
}

// --- 2. Upload links ---

interface LinkFigures {
  /** Sorted, ms. */
  latencies: number[];
  calls: Calls;
}

async function measureLinks(bench: Bench): Promise<LinkFigures> {
  const api = bench.stack.info.apiBaseUrl;
  const link = (n: number): Promise<Upload> =>
    createLink(bench, api, bench.users[n % 2]!, bench.threadIds[n % THREADS]!, { name: `link ${n}.pdf`, bytes: MiB });
  for (let n = 0; n < WARM_UP_LINKS; n += 1) await link(n);
  const mark = await resetCalls(bench);
  const latencies: number[] = [];
  for (let n = 0; n < LINKS; n += 1) {
    const started = performance.now();
    await link(n);
    latencies.push(performance.now() - started);
  }
  return { latencies: latencies.sort((a, b) => a - b), calls: await callsSince(bench, mark) };
}

// --- 1 and 3. Files moved, and the 20 MiB one from Chromium ---

interface TransferFigures {
  files: BenchFile[];
  uploadedBytes: number;
  downloadedBytes: number;
  /** Every /api request while the files moved (the web app's own included). */
  api: ProxiedRequest[];
  /** The backend's own Blob Storage calls meanwhile. */
  blob: BlobCall[];
  browser: BrowserUpload;
}

/** Alice uploads FILES files through links from the API, sends them (one message a thread), Bob downloads each. */
async function moveFiles(bench: Bench, files: BenchFile[]): Promise<{ uploaded: number; downloaded: number }> {
  const api = proxiedApi(bench);
  const [alice, bob] = bench.users;
  let uploaded = 0;
  for (const file of files) {
    const bytes = pdfOf(file.bytes);
    file.sha256 = sha256(bytes);
    const upload = await createLink(bench, api, alice, bench.threadIds[file.thread]!, file);
    const put = await blobExchange(bench.blobAgent, upload.uploadUrl, 'PUT', upload.uploadHeaders, bytes);
    check(put.status === 201, `an upload to Blob Storage answered ${put.status}`);
    file.attachmentId = upload.attachmentId;
    uploaded += bytes.length;
  }
  for (let thread = 0; thread < THREADS; thread += 1) {
    const attachments = files.filter((file) => file.thread === thread).map((file) => file.attachmentId!);
    if (attachments.length === 0) continue;
    const sent = await bench.stack.send(threadUrl(api, bench.threadIds[thread]!, '/messages'), 'POST', alice.token, {
      content: `${attachments.length} files`,
      attachments,
    });
    check(sent.status === 201, `sending a message with files answered ${sent.status}: ${JSON.stringify(sent.json)}`);
  }
  let downloaded = 0;
  for (const file of files) downloaded += await download(bench, api, bob, file);
  return { uploaded, downloaded };
}

/** Alice uploads BIG_FILE_BYTES from the web app (through the proxy) and sends it; Bob downloads it. */
async function moveBigFileFromBrowser(bench: Bench, dir: string): Promise<{ file: BenchFile; browser: BrowserUpload }> {
  const bytes = pdfOf(BIG_FILE_BYTES);
  const file: BenchFile = { name: 'big.pdf', bytes: bytes.length, sha256: sha256(bytes), thread: 0 };
  const path = join(dir, file.name);
  writeFileSync(path, bytes);
  const session = await openWebApp(bench.proxy.origin, bench.users[0].userId);
  try {
    const browser = await uploadInWebApp(session.page, topicOf(file.thread), path);
    await sendInWebApp(session.page, 'the big one');
    file.attachmentId = await attachmentIdOf(bench, file);
    return { file, browser };
  } finally {
    await session.close();
  }
}

/** The id the message sent from the web app gave `file` (found by its name and size, as Bob sees it). */
async function attachmentIdOf(bench: Bench, file: BenchFile): Promise<string> {
  const res = await bench.stack.send(
    threadUrl(proxiedApi(bench), bench.threadIds[file.thread]!, '/messages'),
    'GET',
    bench.users[1].token,
  );
  const messages = (res.json as { items?: Array<{ attachments?: Array<{ id: string; name: string; size: number }> }> })
    .items;
  const found = messages
    ?.flatMap((message) => message.attachments ?? [])
    .find((attachment) => attachment.name === file.name && attachment.size === file.bytes);
  check(found !== undefined, `the message sent from the web app does not carry ${file.name}`);
  return found.id;
}

async function measureTransfers(bench: Bench): Promise<TransferFigures> {
  const files: BenchFile[] = Array.from({ length: FILES }, (_, n) => ({
    name: `file ${n}.pdf`,
    bytes: FILE_BYTES,
    sha256: '',
    thread: n % THREADS,
  }));
  const dir = mkdtempSync(join(tmpdir(), 'bench-attachments-'));
  const mark = await resetCalls(bench);
  bench.proxy.reset();
  try {
    const moved = await moveFiles(bench, files);
    const big = await moveBigFileFromBrowser(bench, dir);
    const bigDownloaded = await download(bench, proxiedApi(bench), bench.users[1], big.file);
    await bench.stack.control.flushEvents(60_000);
    const apiPath = new URL(bench.stack.info.apiBaseUrl).pathname;
    return {
      files: [...files, big.file],
      uploadedBytes: moved.uploaded + big.file.bytes,
      downloadedBytes: moved.downloaded + bigDownloaded,
      api: bench.proxy.requests().filter((request) => request.path.startsWith(apiPath)),
      blob: blobCallsSince(bench, mark),
      browser: big.browser,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- 4. Download redirects ---

interface DownloadFigures {
  latencies: number[];
  calls: Calls;
}

/** Alice and Bob in turn ask for the redirect to each small file in turn (the link is not followed). */
async function measureDownloads(bench: Bench, files: BenchFile[]): Promise<DownloadFigures> {
  const small = files.filter((file) => file.bytes === FILE_BYTES);
  const mark = await resetCalls(bench);
  const latencies: number[] = [];
  for (let n = 0; n < DOWNLOADS; n += 1) {
    const file = small[n % small.length]!;
    const user = bench.users[Math.floor(n / small.length) % 2]!;
    const redirect = await redirectOf(
      bench.stack.info.apiBaseUrl,
      user,
      bench.threadIds[file.thread]!,
      file.attachmentId!,
    );
    check(redirect.status === 302, `a download answered ${redirect.status}, not 302`);
    latencies.push(redirect.ms);
  }
  return { latencies: latencies.sort((a, b) => a - b), calls: await callsSince(bench, mark) };
}

// --- Summary ---

interface Figures {
  links: LinkFigures;
  transfers: TransferFigures;
  downloads: DownloadFigures;
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, n) => sum + n, 0);
const sum = (values: number[]): number => values.reduce((all, n) => all + n, 0);
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
const bytesOf = (bytes: number): string => `${bytes.toLocaleString('en-US')} B`;
const latency = (sorted: number[]): string =>
  `p50 ${ms(percentile(sorted, 50))}  p99 ${ms(percentile(sorted, 99))}  min ${ms(sorted[0] ?? 0)}  ` +
  `max ${ms(sorted.at(-1) ?? 0)}  (${sorted.length} samples)`;
const listed = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';
const per = (count: number, units: number): string => (count / units).toFixed(2);

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** `POST /api/threads/{id}/attachments`: ids out of a path, to group requests by route. */
const routeOf = (request: { method: string; path: string }): string =>
  `${request.method} ${request.path.replace(/\/(threads|attachments|messages)\/[^/]+/g, '/$1/{id}')}`;

/** Tables requests split into reads (GET) and writes (anything else), per unit. */
function tablesPer(counts: Record<string, number>, units: number): string {
  const reads = total(Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith('GET '))));
  return (
    `${per(total(counts), units)} = ${per(reads, units)} reads + ${per(total(counts) - reads, units)} writes ` +
    `(${listed(counts)})`
  );
}

function apiLines(api: ProxiedRequest[]): string[] {
  const bodies = sum(api.map((request) => request.requestBytes + request.responseBytes));
  const largest = [...api].sort((a, b) => b.responseBytes + b.requestBytes - a.responseBytes - a.requestBytes)[0];
  const byRoute = new Map<string, { requests: number; bytes: number }>();
  for (const request of api) {
    const route = byRoute.get(routeOf(request)) ?? { requests: 0, bytes: 0 };
    byRoute.set(routeOf(request), {
      requests: route.requests + 1,
      bytes: route.bytes + request.requestBytes + request.responseBytes,
    });
  }
  return [
    `       API while the files moved (every /api request, ${api.length}, through a byte-counting proxy): request bodies ` +
      `${bytesOf(sum(api.map((request) => request.requestBytes)))}, response bodies ` +
      `${bytesOf(sum(api.map((request) => request.responseBytes)))}, total ${bytesOf(bodies)}; largest ` +
      (largest ? `${bytesOf(largest.requestBytes + largest.responseBytes)} (${routeOf(largest)})` : 'none'),
    `       by route: ${[...byRoute]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, { requests, bytes }]) => `${route} ${requests}× ${bytesOf(bytes)}`)
      .join('; ')}`,
  ];
}

function backendBlobLines(blob: BlobCall[], attached: number): string[] {
  const reads = blob.filter((call) => call.method === 'GET');
  const read = sum(reads.map((call) => call.responseBytes));
  return [
    `       the backend's own Blob Storage calls (seen in its process): ${blob.length} for ${attached} attached ` +
      `files (${listed(countBy(blob, (call) => call.method))}); file bytes it read: ${bytesOf(read)} = ` +
      `${per(read, attached)} per file (at most ${SNIFF_BYTES.toLocaleString('en-US')} per file by design: the type ` +
      `check's first bytes; largest read ${bytesOf(Math.max(0, ...reads.map((call) => call.responseBytes)))}); ` +
      `bytes it wrote: ${bytesOf(sum(blob.map((call) => call.requestBytes)))} (index tags)`,
  ];
}

function transferLines(transfers: TransferFigures): string[] {
  const api = sum(transfers.api.map((request) => request.requestBytes + request.responseBytes));
  const moved = transfers.uploadedBytes + transfers.downloadedBytes;
  return [
    `RESULT file bytes through the Functions app: ${fileBytesThroughApi(transfers) ? 'SOME' : '0'} (target 0)`,
    `       ${transfers.files.length} files (${FILES} × ${mib(FILE_BYTES)} from Node, 1 × ${mib(BIG_FILE_BYTES)} from ` +
      `Chromium) uploaded, sent and downloaded: ${mib(transfers.uploadedBytes)} up + ` +
      `${mib(transfers.downloadedBytes)} down = ${mib(moved)}, straight between the clients and Blob Storage`,
    ...apiLines(transfers.api),
    `       API body bytes / file bytes moved: ${((api / moved) * 100).toFixed(3)} %`,
    ...backendBlobLines(transfers.blob, transfers.files.length),
  ];
}

function browserLines(upload: BrowserUpload): string[] {
  const sending = (upload.putEndAt - upload.putStartAt) / 1000;
  return [
    `RESULT ${mib(BIG_FILE_BYTES)} from Chromium (web app: Attach files, file chooser; loopback, HTTPS to Azurite): ` +
      `file chosen → "Uploaded" ${ms(upload.uploadedAt - upload.chosenAt)}`,
    `       chosen → PUT starts (upload link) ${ms(upload.putStartAt - upload.chosenAt)}; body sent in ` +
      `${ms(upload.putEndAt - upload.putStartAt)} (${(BIG_FILE_BYTES / MiB / sending).toFixed(1)} MiB/s); Blob ` +
      `Storage's 201 ${ms(upload.answeredAt - upload.putEndAt)} later; "Uploaded" shown ` +
      `${ms(upload.uploadedAt - upload.answeredAt)} after that`,
    `       progress events (xhr.upload): ${upload.progressEvents}, giving the bar ${upload.percentagesShown} ` +
      `distinct percentages; the last reported ${bytesOf(upload.loaded)} of ${bytesOf(upload.total)}`,
  ];
}

function callLines(calls: Calls, units: number, acsTarget: string): string[] {
  return [
    `       ACS calls: ${per(total(calls.acs), units)} (target ${acsTarget}; ${listed(calls.acs)})`,
    `       Tables requests: ${tablesPer(calls.tables, units)}`,
    `       Blob Storage calls by the backend: ${per(calls.blob.length, units)} ` +
      `(${listed(countBy(calls.blob, (call) => call.method))})`,
  ];
}

function printSummary({ links, transfers, downloads }: Figures, seconds: number): void {
  console.log(
    [
      '',
      '=== attachments: summary ===',
      `setup: dev stack (npm run dev in its own process; Azurite Blob over HTTPS, user delegation SAS; ACS emulator, ` +
        `rate limits on), ${THREADS} threads of alice and bob`,
      ...transferLines(transfers),
      `RESULT upload link (POST …/attachments → 201, sequential, after ${WARM_UP_LINKS} untimed): ` +
        `p50 ${ms(percentile(links.latencies, 50))}, p99 ${ms(percentile(links.latencies, 99))}`,
      `       ${latency(links.latencies)}; per link:`,
      ...callLines(links.calls, links.latencies.length, '0'),
      ...browserLines(transfers.browser),
      `RESULT download redirect (GET …/attachments/{id} → 302, not followed): ` +
        `p50 ${ms(percentile(downloads.latencies, 50))}, p99 ${ms(percentile(downloads.latencies, 99))}`,
      `       ${latency(downloads.latencies)}; per download:`,
      ...callLines(downloads.calls, downloads.latencies.length, '≤ 1'),
      `took ${seconds.toFixed(1)} s`,
    ].join('\n'),
  );
}

/** Whether file content could have passed through the API: more body bytes than in one file of those moved. */
function fileBytesThroughApi(transfers: TransferFigures): boolean {
  return sum(transfers.api.map((request) => request.requestBytes + request.responseBytes)) >= FILE_BYTES;
}

/** Wrong behaviour seen in the figures (refused requests and wrong content already stopped the run). */
function failures({ transfers }: Figures): string[] {
  const checks: Array<[boolean, string]> = [
    [fileBytesThroughApi(transfers), 'file content may have passed through the API (its bodies outweigh a file)'],
    [
      transfers.blob.some((call) => call.method === 'GET' && call.responseBytes > SNIFF_BYTES),
      `the backend read more than ${SNIFF_BYTES} bytes of a file`,
    ],
    [transfers.browser.loaded !== BIG_FILE_BYTES, 'the browser did not report the whole file sent'],
  ];
  return checks.filter(([failed]) => failed).map(([, what]) => what);
}

runBench(async (cleanup) => {
  const began = performance.now();
  const services = await startLiveServices();
  cleanup.push(() => services.stop());
  const probeDir = mkdtempSync(join(tmpdir(), 'bench-blob-probe-'));
  cleanup.push(() => rmSync(probeDir, { recursive: true, force: true }));
  const probeLog = join(probeDir, 'blob-calls.jsonl');
  const stack = await startBenchStack(
    {
      TABLES_CONNECTION_STRING: services.tablesConnectionString,
      BENCH_BLOB_PROBE_LOG: probeLog,
      // `npm run dev`'s default, whatever this shell sets: Blob CORS then lets the page load from the proxy's origin.
      DEV_CORS_ORIGINS: '*',
    },
    64,
    [join(__dirname, 'blob-probe.ts')],
  );
  cleanup.push(() => stack.stop());
  check(stack.info.blob !== undefined, 'the dev stack runs no Blob service for attachments');
  const proxy = await startByteCountingProxy(new URL(stack.info.apiBaseUrl).origin);
  cleanup.push(() => proxy.close());
  const blobAgent = new https.Agent({ keepAlive: true, ca: readFileSync(stack.info.blob.caCertPath, 'utf8') });
  cleanup.push(() => blobAgent.destroy());

  const users: [User, User] = [
    { userId: 'files-alice', token: await stack.token('files-alice') },
    { userId: 'files-bob', token: await stack.token('files-bob') },
  ];
  const bench: Bench = { stack, services, proxy, blobAgent, probeLog, users, threadIds: [] };
  bench.threadIds = await createThreads(bench);
  console.log(`stack up, ${THREADS} threads (${((performance.now() - began) / 1000).toFixed(1)} s)`);

  const links = await measureLinks(bench);
  const transfers = await measureTransfers(bench);
  const downloads = await measureDownloads(bench, transfers.files);
  const figures = { links, transfers, downloads };
  printSummary(figures, (performance.now() - began) / 1000);
  return failures(figures);
});
