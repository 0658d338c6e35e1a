import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import type { DevStackInfo } from '../dev/local-stack';
import { CHAT_EVENT_TYPES, type EmulatorControlClient } from '../emulator';
import { startBenchStack } from './dev-stack';

/**
 * Chat events: how many events per second the emulator delivers (to a webhook that only acknowledges), and how many
 * `chatEvents` handles (through the dev host, with its Tables reads). The dev stack (`npm run dev`) runs in its own
 * process. Events are held while they are generated and then released at once, so generation is not timed.
 * Bounded: fixed event counts, loopback only. Informational: never gates CI.
 */

const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 50);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100);
const CONSUMER_THREADS = 20;
const CONSUMER_MESSAGES = Number(process.env.BENCH_CONSUMER_MESSAGES ?? 1_000);
const CONCURRENCY = 16;

/** A webhook that answers the handshake and acknowledges every delivery, counting events. */
async function startSink(): Promise<{ url: string; received: () => number; close: () => void }> {
  let received = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{ data: { validationCode?: string } }>;
      if (request.headers['aeg-event-type'] === 'SubscriptionValidation') {
        response.end(JSON.stringify({ validationResponse: events[0]?.data.validationCode }));
        return;
      }
      received += events.length;
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    received: () => received,
    close: () => server.close(),
  };
}

async function api<T>(info: DevStackInfo, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${info.apiBaseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function inParallel(count: number, work: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Holds events while `generate` runs, then times their delivery. */
async function timeDelivery(control: EmulatorControlClient, label: string, generate: () => Promise<void>) {
  await control.setEventDelivery({ reorder: true, reorderWindowMs: 600_000 });
  await generate();
  const before = await control.eventDeliveryStats();
  const started = performance.now();
  const after = await control.flushEvents(300_000);
  const seconds = (performance.now() - started) / 1000;
  await control.setEventDelivery({ reorder: false });
  const delivered = after.delivered - before.delivered;
  console.log(
    `${label.padEnd(44)} ${String(delivered).padStart(6)} events in ${seconds.toFixed(2)} s = ` +
      `${Math.round(delivered / seconds)} events/s (failed ${after.failed - before.failed}, dead-lettered ${after.deadLettered - before.deadLettered})`,
  );
}

async function main(): Promise<void> {
  // Throughput of event delivery and handling, not ACS's limits: the emulator's rate limits are off.
  const stack = await startBenchStack({ DEV_ACS_RATE_LIMITS: 'off' });
  const sink = await startSink();
  try {
    const { info } = stack;
    if (!info.chatEvents) throw new Error('the dev stack did not subscribe chatEvents');
    const control = stack.control;
    const owner = await stack.token('bench-owner');
    const issued = await api<{ token: string; endpoint: string }>(info, owner, 'POST', '/token');
    const chat = new ChatClient(issued.endpoint, new AzureCommunicationTokenCredential(issued.token), {
      tlsOptions: { ca: readFileSync(info.acs.caCertPath!, 'utf8') },
    });

    // 1. The emulator alone: every chat event, to a webhook that only acknowledges.
    await control.unsubscribeEvents(info.chatEvents.subscriptionId);
    const sinkSubscription = await control.subscribeEvents({
      endpoint: sink.url,
      includedEventTypes: [...CHAT_EVENT_TYPES],
    });
    const participants = Array.from({ length: PARTICIPANTS - 2 }, (_, i) => ({ userId: `bench-p${i}` }));
    const big = await api<{ thread: { id: string } }>(info, owner, 'POST', '/threads', {
      topic: 'bench',
      participants,
    });
    await control.flushEvents();
    await timeDelivery(control, `emulator → webhook (${PARTICIPANTS}-person thread)`, () =>
      inParallel(MESSAGES, (i) => chat.getChatThreadClient(big.thread.id).sendMessage({ content: `m${i}` })),
    );
    await control.unsubscribeEvents(sinkSubscription.id);

    // 2. The consumer: ChatMessageReceivedInThread through the dev host to chatEvents (1 Tables read each; a write
    // only when the thread's recorded activity is over a minute old, which it never is here).
    await control.subscribeEvents({
      endpoint: info.chatEvents.webhook,
      includedEventTypes: [
        'Microsoft.Communication.ChatMessageReceivedInThread',
        'Microsoft.Communication.ChatThreadDeleted',
      ],
    });
    const threads: string[] = [];
    await inParallel(CONSUMER_THREADS, async (i) => {
      threads.push(
        (await api<{ thread: { id: string } }>(info, owner, 'POST', '/threads', { topic: `c${i}` })).thread.id,
      );
    });
    await control.flushEvents();
    await timeDelivery(control, 'emulator → dev host → chatEvents (Tables)', () =>
      inParallel(CONSUMER_MESSAGES, (i) =>
        chat.getChatThreadClient(threads[i % threads.length]!).sendMessage({ content: `c${i}` }),
      ),
    );
  } finally {
    sink.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
