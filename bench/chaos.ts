import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { TableClient } from '@azure/data-tables';

import { AZURITE_ACCOUNT, AZURITE_KEY } from '../dev/azurite';
import type { FaultSpec } from '../emulator';
import { type BenchStack, percentile, startBenchStack } from './dev-stack';

/**
 * `npm run chaos`: load with injected faults against a dev stack of its own, then the invariants that must hold.
 * Azurite runs as a process of its own (so that an outage is a real one: the process is stopped and restarted on the
 * same port and data); ACS is the emulator with fault injection. Bounded (CHAOS_SECONDS, default 120 s in phases).
 * The emulator's own rate limits are off here: 16 workers on a few threads would otherwise spend ACS's per-thread
 * limits at once, and the 429 phase injects throttling explicitly. Last line: `invariants: N held, N broken`.
 */

const TOTAL_SECONDS = Number(process.env.CHAOS_SECONDS ?? 120);
const USERS = 20;
const WORKERS = 16;
const ORPHAN_GRACE_SECONDS = 3;

interface Phase {
  name: string;
  share: number;
  faults?: FaultSpec[];
  tablesDown?: boolean;
}

const PHASES: Phase[] = [
  { name: 'clean', share: 0.15 },
  {
    name: 'ACS 503 at 20 %',
    share: 0.15,
    faults: [{ operation: '*', status: 503, percent: 20, retryAfterSeconds: 1 }],
  },
  { name: 'ACS 429', share: 0.15, faults: [{ operation: 'chat.*', status: 429, percent: 30, retryAfterSeconds: 2 }] },
  {
    name: 'ACS slower than the timeout',
    share: 0.15,
    faults: [{ operation: 'chat.*', latencyMs: 11_000, percent: 5 }],
  },
  { name: 'dropped connections', share: 0.1, faults: [{ operation: '*', drop: true, percent: 10 }] },
  { name: 'Tables outage', share: 0.1, tablesDown: true },
  { name: 'clean again', share: 0.2 },
];

/** Statuses each kind of request may answer; anything else (a 500, a 502) breaks an invariant. */
const DOCUMENTED: Record<string, number[]> = {
  token: [200, 429, 503],
  createThread: [201, 429, 503],
  send: [201, 429, 503],
  list: [200, 429, 503],
  getThread: [200, 429, 503],
  health: [200, 503],
};

interface Outcome {
  kind: string;
  phase: string;
  status: number;
  ms: number;
  retryAfter: string | null;
}
interface Acknowledged {
  threadId: string;
  content: string;
  id: string;
  key?: string;
  user: number;
}
interface KeyedCreate {
  user: number;
  key: string;
  body: unknown;
  threadId?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Azurite's Table service as a process of its own, persisted in a folder, for the whole run. */
class AzuriteProcess {
  private child?: ChildProcess;
  readonly location = mkdtempSync(join(tmpdir(), 'chaos-azurite-'));
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.child = spawn(
      process.execPath,
      [
        require.resolve('azurite/dist/src/table/main.js'),
        '--tableHost',
        '127.0.0.1',
        '--tablePort',
        String(this.port),
        '--location',
        this.location,
        '--silent',
        '--skipApiVersionCheck',
        '--disableTelemetry',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const up = await fetch(`http://127.0.0.1:${this.port}/`).then(
        () => true,
        () => false,
      );
      if (up) return;
      await sleep(100);
    }
    throw new Error('Azurite did not start');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/**
 * The way to Tables, which the outage cuts: open connections are reset and new ones refused, as when the storage
 * endpoint goes away, until it is restored. (Stopping Azurite itself would also lose the writes it acknowledged last,
 * as its persistence saves on a timer; Azure Storage never loses an acknowledged write, so that is not the outage to
 * test.)
 */
class TablesLink {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly azuritePort: number,
  ) {}

  get connectionString(): string {
    return (
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `TableEndpoint=http://127.0.0.1:${this.port}/${AZURITE_ACCOUNT};`
    );
  }

  up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.azuritePort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }
}

async function main(): Promise<void> {
  const azurite = new AzuriteProcess(await freePort());
  await azurite.start();
  const tables = new TablesLink(await freePort(), azurite.port);
  await tables.up();
  const stack = await startBenchStack(
    {
      DEV_ACS_RATE_LIMITS: 'off',
      TABLES_CONNECTION_STRING: tables.connectionString,
      ORPHAN_THREAD_GRACE_SECONDS: String(ORPHAN_GRACE_SECONDS),
    },
    WORKERS * 2,
  );
  try {
    await run(stack, tables);
  } finally {
    await stack.stop();
    await tables.down();
    await azurite.stop();
    rmSync(azurite.location, { recursive: true, force: true });
  }
}

async function run(stack: BenchStack, tables: TablesLink): Promise<void> {
  const api = stack.info.apiBaseUrl;
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => stack.token(`chaos-${i}`)));
  const userIds = tokens.map((_, i) => `chaos-${i}`);
  // Everyone signs in first, so no identity is created while faults are injected (identities are checked below).
  for (const token of tokens) await stack.send(`${api}/token`, 'POST', token);
  const threads: Array<{ id: string; members: number[] }> = [];
  for (let i = 0; i < 5; i += 1) {
    const members = [i, (i + 1) % USERS, (i + 2) % USERS, (i + 3) % USERS];
    const res = await stack.send(`${api}/threads`, 'POST', tokens[i]!, {
      topic: `chaos-${i}`,
      participants: members.slice(1).map((m) => ({ userId: userIds[m] })),
    });
    threads.push({ id: (res.json as { thread: { id: string } }).thread.id, members });
  }

  const outcomes: Outcome[] = [];
  const acknowledged: Acknowledged[] = [];
  const keyedCreates: KeyedCreate[] = [];
  const failedKeyedSends: Array<{ user: number; threadId: string; content: string; key: string }> = [];
  let phase = PHASES[0]!.name;
  let stopped = false;

  const timed = async (
    kind: string,
    call: () => Promise<{ status: number; json: unknown; retryAfter: string | null }>,
  ) => {
    const startedIn = phase;
    const started = performance.now();
    const res = await call();
    outcomes.push({
      kind,
      phase: startedIn,
      status: res.status,
      ms: performance.now() - started,
      retryAfter: res.retryAfter,
    });
    return res;
  };
  const send = (method: string, path: string, user: number, body?: unknown, headers?: Record<string, string>) =>
    stack.sendFull(`${api}${path}`, method, tokens[user]!, body, headers);

  async function worker(index: number): Promise<void> {
    let n = 0;
    while (!stopped) {
      n += 1;
      const thread = threads[(index + n) % threads.length]!;
      const user = thread.members[n % thread.members.length]!;
      const path = `/threads/${encodeURIComponent(thread.id)}`;
      const roll = Math.random();
      if (roll < 0.4) {
        const content = `m-${randomUUID()}`;
        const key = n % 2 === 0 ? randomUUID() : undefined;
        const res = await timed('send', () =>
          send('POST', `${path}/messages`, user, { content }, key ? { 'Idempotency-Key': key } : undefined),
        );
        if (res.status === 201) {
          acknowledged.push({
            threadId: thread.id,
            content,
            id: (res.json as { id: string }).id,
            user,
            ...(key ? { key } : {}),
          });
        } else if (key) failedKeyedSends.push({ user, threadId: thread.id, content, key });
      } else if (roll < 0.7) {
        await timed('list', () => send('GET', `${path}/messages?maxPageSize=20`, user));
      } else if (roll < 0.85) {
        await timed('getThread', () => send('GET', path, user));
      } else if (roll < 0.93) {
        const key = n % 2 === 0 ? randomUUID() : undefined;
        const body = { topic: `chaos-new-${n}` };
        const res = await timed('createThread', () =>
          send('POST', '/threads', user, body, key ? { 'Idempotency-Key': key } : undefined),
        );
        if (key) {
          const created = res.status === 201 ? (res.json as { thread: { id: string } }).thread.id : undefined;
          keyedCreates.push({ user, key, body, ...(created ? { threadId: created } : {}) });
        }
      } else {
        await timed('token', () => send('POST', '/token', user));
      }
    }
  }

  async function healthPoller(): Promise<void> {
    while (!stopped) {
      await timed('health', () => stack.sendFull(`${api}/health`, 'GET', ''));
      await sleep(250);
    }
  }

  const workers = [...Array.from({ length: WORKERS }, (_, i) => worker(i)), healthPoller()];
  let faultsEndedAt = 0;
  for (const step of PHASES) {
    phase = step.name;
    for (const fault of step.faults ?? []) await stack.control.injectFault(fault);
    if (step.tablesDown) await tables.down();
    await sleep(step.share * TOTAL_SECONDS * 1000);
    await stack.control.clearFaults();
    if (step.tablesDown) await tables.up();
    if (step.faults || step.tablesDown) faultsEndedAt = Date.now();
  }
  stopped = true;
  await Promise.all(workers);

  // Recovery: after the last fault, how long until health and a send answer 200/201 again.
  const recovery = await measureRecovery(stack, api, tokens[0]!, threads[0]!.id);

  // Retries of keyed requests (as a client would after a 503): the same key returns the original result.
  let idempotentOk = 0;
  let idempotentBroken = 0;
  const brokenKinds = new Map<string, number>();
  const noteBroken = (kind: string, res: { status: number; json: unknown }) => {
    idempotentBroken += 1;
    const code = (res.json as { error?: { code?: string } } | undefined)?.error?.code;
    const label = `${kind} → ${res.status}${code ? ` ${code}` : ''}`;
    brokenKinds.set(label, (brokenKinds.get(label) ?? 0) + 1);
  };
  for (const create of keyedCreates) {
    const res = await send('POST', '/threads', create.user, create.body, { 'Idempotency-Key': create.key });
    const id = res.status === 201 ? (res.json as { thread: { id: string } }).thread.id : undefined;
    // A create that was acknowledged must come back as the same thread; one that was not is a new request, so the
    // caller's limits apply to it (429) as they would to any new create.
    const ok = create.threadId ? id === create.threadId : [201, 404, 429].includes(res.status);
    if (ok) idempotentOk += 1;
    else noteBroken(create.threadId ? 'acknowledged create' : 'unacknowledged create', res);
    if (!create.threadId && id) create.threadId = id;
  }
  for (const message of acknowledged.filter((m) => m.key)) {
    const res = await send(
      'POST',
      `/threads/${encodeURIComponent(message.threadId)}/messages`,
      message.user,
      { content: message.content },
      { 'Idempotency-Key': message.key! },
    );
    if (res.status === 201 && (res.json as { id: string }).id === message.id) idempotentOk += 1;
    else noteBroken('acknowledged send', res);
  }
  for (const retry of failedKeyedSends) {
    const res = await send(
      'POST',
      `/threads/${encodeURIComponent(retry.threadId)}/messages`,
      retry.user,
      { content: retry.content },
      { 'Idempotency-Key': retry.key },
    );
    if (res.status === 201)
      acknowledged.push({
        threadId: retry.threadId,
        content: retry.content,
        id: (res.json as { id: string }).id,
        user: retry.user,
        key: retry.key,
      });
  }

  // Let events settle and orphan threads pass their grace period.
  await sleep((ORPHAN_GRACE_SECONDS + 1) * 1000);
  await stack.control.flushEvents(60_000);

  report(outcomes, acknowledged, recovery, faultsEndedAt, { idempotentOk, idempotentBroken, brokenKinds });
  await checkState(stack, tables, acknowledged);
  console.log(`invariants: ${held} held, ${broken} broken`);
}

let held = 0;
let broken = 0;
function invariant(ok: boolean, text: string): void {
  if (ok) held += 1;
  else broken += 1;
  console.log(`${ok ? 'HELD  ' : 'BROKEN'} ${text}`);
}

async function measureRecovery(stack: BenchStack, api: string, token: string, threadId: string) {
  const started = Date.now();
  let healthMs: number | undefined;
  let sendMs: number | undefined;
  while (Date.now() - started < 30_000 && (healthMs === undefined || sendMs === undefined)) {
    if (healthMs === undefined && (await stack.sendFull(`${api}/health`, 'GET', '')).status === 200)
      healthMs = Date.now() - started;
    if (sendMs === undefined) {
      const res = await stack.sendFull(`${api}/threads/${encodeURIComponent(threadId)}/messages`, 'POST', token, {
        content: 'recovered',
      });
      if (res.status === 201) sendMs = Date.now() - started;
    }
    await sleep(50);
  }
  return { healthMs, sendMs };
}

function report(
  outcomes: Outcome[],
  acknowledged: Acknowledged[],
  recovery: { healthMs?: number; sendMs?: number },
  _faultsEndedAt: number,
  idempotency: { idempotentOk: number; idempotentBroken: number; brokenKinds: Map<string, number> },
): void {
  console.log(`requests: ${outcomes.length}, acknowledged messages: ${acknowledged.length}`);
  for (const phase of PHASES) {
    const inPhase = outcomes.filter((o) => o.phase === phase.name && o.kind !== 'health');
    const ms = inPhase.map((o) => o.ms).sort((a, b) => a - b);
    const statuses = new Map<number, number>();
    for (const o of inPhase) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    console.log(
      `  ${phase.name.padEnd(28)} ${String(inPhase.length).padStart(5)} requests  p50 ${percentile(ms, 50).toFixed(0)} ms  ` +
        `p99 ${percentile(ms, 99).toFixed(0)} ms  statuses ${[...statuses].map(([s, c]) => `${s}x${c}`).join(' ')}`,
    );
  }
  const undocumented = outcomes.filter((o) => !(DOCUMENTED[o.kind] ?? []).includes(o.status));
  invariant(
    undocumented.length === 0,
    `no 500 and only documented statuses: ${undocumented.length} others (${[...new Set(undocumented.map((o) => `${o.kind} ${o.status}`))].join(', ') || 'none'})`,
  );
  const waits = outcomes.filter((o) => o.status === 429 || o.status === 503);
  const withoutRetryAfter = waits.filter((o) => !o.retryAfter);
  invariant(
    withoutRetryAfter.length === 0,
    `Retry-After on every 429/503 (health included): ${waits.length - withoutRetryAfter.length} of ${waits.length}`,
  );
  invariant(
    recovery.healthMs !== undefined &&
      recovery.healthMs <= 2_000 &&
      recovery.sendMs !== undefined &&
      recovery.sendMs <= 2_000,
    `recovery within 2 s after faults stop: health ${recovery.healthMs ?? '∞'} ms, send ${recovery.sendMs ?? '∞'} ms`,
  );
  invariant(
    idempotency.idempotentBroken === 0,
    `every Idempotency-Key retry returns the original result: ${idempotency.idempotentOk} of ${idempotency.idempotentOk + idempotency.idempotentBroken}`,
  );
  for (const [label, count] of idempotency.brokenKinds) console.log(`  ${label}: ${count}`);
  const throttled = outcomes
    .filter((o) => o.phase === 'ACS 429' && o.kind !== 'health')
    .map((o) => o.ms)
    .sort((a, b) => a - b);
  const unavailable = outcomes
    .filter((o) => o.phase === 'ACS 503 at 20 %' && o.kind !== 'health')
    .map((o) => o.ms)
    .sort((a, b) => a - b);
  console.log(
    `fail fast: p99 ${percentile(throttled, 99).toFixed(0)} ms under 429s (target 2000), ${percentile(unavailable, 99).toFixed(0)} ms under 20 % 503s (target 3000)`,
  );
}

async function checkState(stack: BenchStack, azurite: TablesLink, acknowledged: Acknowledged[]): Promise<void> {
  // Messages: every acknowledged one is in ACS exactly once, with its id.
  const byThread = new Map<string, Array<{ id: string; content?: string }>>();
  let missingOrDuplicated = 0;
  for (const message of acknowledged) {
    if (!byThread.has(message.threadId)) {
      const details = await stack.control.getThread(message.threadId);
      byThread.set(
        message.threadId,
        (details?.messages ?? []).map((m) => ({
          id: String(m.id),
          content: (m.content as { message?: string } | undefined)?.message,
        })),
      );
    }
    const copies = byThread.get(message.threadId)!.filter((m) => m.content === message.content);
    if (copies.length !== 1 || copies[0]!.id !== message.id) {
      missingOrDuplicated += 1;
      if (missingOrDuplicated <= 3)
        console.log(
          `  e.g. ${message.key ? 'keyed' : 'unkeyed'} ${message.id}: ${JSON.stringify(copies.map((c) => c.id))}`,
        );
    }
  }
  invariant(
    missingOrDuplicated === 0,
    `every acknowledged message present exactly once: ${acknowledged.length - missingOrDuplicated} of ${acknowledged.length}`,
  );

  // Threads: live ACS threads and our records match.
  const records = new Set<string>();
  for await (const entity of TableClient.fromConnectionString(azurite.connectionString, 'chatThreads', {
    allowInsecureConnection: true,
  }).listEntities<{ partitionKey: string }>())
    records.add(entity.partitionKey);
  const live = (await stack.control.listThreads()).filter((t) => !t.deleted).map((t) => t.id);
  const orphans = live.filter((id) => !records.has(id));
  const dangling = [...records].filter((id) => !live.includes(id));
  invariant(
    orphans.length === 0 && dangling.length === 0,
    `no orphan thread (${orphans.length}) and no record without a thread (${dangling.length}) among ${live.length} threads`,
  );

  // Identities: one live identity per mapped user, and no live identity nobody maps.
  const mapped = new Map<string, string>();
  for await (const row of TableClient.fromConnectionString(azurite.connectionString, 'chatIdentities', {
    allowInsecureConnection: true,
  }).listEntities<{ partitionKey: string; acsUserId?: string }>()) {
    if (row.partitionKey.startsWith('u:') || row.partitionKey === 'service')
      if (row.acsUserId) mapped.set(row.partitionKey, row.acsUserId);
  }
  const liveIdentities = new Set((await stack.control.listIdentities()).filter((i) => !i.deleted).map((i) => i.id));
  const mappedIds = new Set(mapped.values());
  const deadMapped = [...mappedIds].filter((id) => !liveIdentities.has(id));
  const unmapped = [...liveIdentities].filter((id) => !mappedIds.has(id));
  invariant(
    deadMapped.length === 0 && unmapped.length === 0,
    `one live ACS identity per mapped user (${mapped.size} mapped, ${deadMapped.length} dead) and none unmapped (${unmapped.length})`,
  );
}

main()
  // Exits explicitly: a keep-alive socket left by a library must not keep a finished run waiting.
  .then(() => process.exit(broken === 0 ? 0 : 1))
  .catch((error: unknown) => {
    console.error(error);
    console.log('invariants: 0 held, 1 broken');
    process.exit(1);
  });
