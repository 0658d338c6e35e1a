import { randomUUID } from 'node:crypto';

import { startAzuriteTables } from '../dev/azurite';
import { startTestStack } from '../test/helpers/stack';
import { percentile } from './dev-stack';

/**
 * The inbox: Tables operations per chat event (counted on the backend's own Tables client, per event type), and
 * GET /api/inbox and GET /api/inbox/unread latency with INBOX_THREADS threads in the caller's inbox, through the dev
 * host over HTTP, with the ACS calls each made (counted by the emulator). The stack runs in this process (as the
 * integration tests run it) so that its Tables calls can be counted. Informational: never gates CI.
 */

const INBOX_THREADS = Number(process.env.BENCH_INBOX_THREADS ?? 200);
const REQUESTS = Number(process.env.BENCH_INBOX_REQUESTS ?? 200);

const iso = (ms: number): string => new Date(ms).toISOString();
const id = (rawId: string) => ({ rawId, communicationUser: { id: rawId } });

function event(type: string, data: Record<string, unknown>): Record<string, unknown> {
  return {
    id: randomUUID(),
    subject: 'bench',
    eventType: `Microsoft.Communication.${type}`,
    eventTime: iso(Date.now()),
    data: { transactionId: 't', ...data },
    dataVersion: '1.0',
    metadataVersion: '1',
  };
}

async function main(): Promise<void> {
  const azurite = await startAzuriteTables();
  process.env.TEST_TABLES_CONNECTION_STRING = azurite.connectionString;
  const stack = await startTestStack({ DEV_ACS_RATE_LIMITS: 'off' });
  try {
    const services = await stack.services();
    const [reader, sender] = await Promise.all(['inbox-reader', 'inbox-sender'].map((u) => stack.token(u)));
    for (const token of [reader, sender]) {
      await fetch(`${stack.apiBaseUrl}/token`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    }
    await services.identity.serviceAcsUserId(); // a running instance has it cached
    const me = (await services.identity.findAcsUserId('inbox-reader'))!;
    const other = (await services.identity.findAcsUserId('inbox-sender'))!;
    const start = Date.now() - INBOX_THREADS * 60_000;

    // Per user-level event type: Tables calls while handling it (identity lookups are warm, as in a running instance).
    const perType = new Map<string, number[]>();
    const handle = async (type: string, data: Record<string, unknown>) => {
      stack.tablesCalls.reset();
      await services.inbox.handleEvent(event(type, data));
      const calls = stack.tablesCalls.reads + stack.tablesCalls.writes;
      perType.set(type, [...(perType.get(type) ?? []), calls]);
    };
    for (let i = 0; i < INBOX_THREADS; i += 1) {
      const threadId = `19:bench${i}@thread.v2`;
      const at = start + i * 60_000;
      const base = { threadId, recipientCommunicationIdentifier: id(me), version: at };
      await handle('ChatThreadCreatedWithUser', {
        ...base,
        createdByCommunicationIdentifier: id(other),
        createTime: iso(at),
        properties: { topic: `thread ${i}` },
        participants: [],
      });
      const message = {
        ...base,
        messageId: String(at + 1),
        senderCommunicationIdentifier: id(other),
        composeTime: iso(at + 1),
        type: 'Text',
        messageBody: `hello ${i} `.repeat(20),
        metadata: {},
      };
      await handle('ChatMessageReceived', message);
      if (i % 10 === 0) {
        const newcomer = id(`${other}-added-${i}`);
        await handle('ChatParticipantAddedToThreadWithUser', {
          ...base,
          recipientCommunicationIdentifier: newcomer,
          addedByCommunicationIdentifier: id(other),
          participantAdded: { participantCommunicationIdentifier: newcomer },
          time: iso(at + 2),
          createTime: iso(at),
        });
        const extra = { ...message, messageId: String(at + 5), composeTime: iso(at + 5) };
        await handle('ChatMessageReceived', extra);
        await handle('ChatMessageDeleted', { ...extra, deleteTime: iso(at + 6) });
        const removal = { ...base, recipientCommunicationIdentifier: newcomer, createTime: iso(at), time: iso(at + 7) };
        await handle('ChatParticipantRemovedFromThreadWithUser', {
          ...removal,
          removedByCommunicationIdentifier: id(other),
          participantRemoved: { participantCommunicationIdentifier: newcomer },
        });
        await handle('ChatThreadWithUserDeleted', { ...removal, deletedByCommunicationIdentifier: id(other) });
        await handle('ChatMessageEdited', {
          ...message,
          version: at + 2,
          messageBody: 'edited',
          editTime: iso(at + 2),
        });
        await handle('ChatThreadPropertiesUpdatedPerUser', {
          ...base,
          editedByCommunicationIdentifier: id(other),
          editTime: iso(at + 3),
          createTime: iso(at),
          properties: { topic: `renamed ${i}` },
        });
      }
    }
    console.log(`Tables operations per user-level event (${INBOX_THREADS} threads; no ACS call is possible here):`);
    for (const [type, calls] of perType) {
      const mean = calls.reduce((sum, n) => sum + n, 0) / calls.length;
      console.log(
        `  ${type.padEnd(41)} max ${Math.max(...calls)}   mean ${mean.toFixed(2)}   (${calls.length} events)`,
      );
    }

    const control = stack.emulator!.control;
    const measure = async (label: string, path: string, check: (body: unknown) => void) => {
      control.resetCounts();
      stack.tablesCalls.reset();
      const latencies: number[] = [];
      for (let i = 0; i < REQUESTS; i += 1) {
        const started = performance.now();
        const res = await fetch(`${stack.apiBaseUrl}${path}`, { headers: { authorization: `Bearer ${reader}` } });
        const body: unknown = await res.json();
        latencies.push(performance.now() - started);
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        check(body);
      }
      latencies.sort((a, b) => a - b);
      const acs = Object.values(control.requestCounts()).reduce((sum, n) => sum + n, 0);
      console.log(
        `${label.padEnd(34)} p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms   ` +
          `Tables requests/request ${(stack.tablesCalls.reads / REQUESTS).toFixed(2)}   ACS calls ${acs}`,
      );
    };
    console.log(
      `GET over HTTP into the dev host, ${REQUESTS} sequential requests, ${INBOX_THREADS} threads in the inbox:`,
    );
    const pageOf = (size: number) => (body: unknown) => {
      if ((body as { items: unknown[] }).items.length !== Math.min(size, INBOX_THREADS)) throw new Error('short page');
    };
    await measure('GET /api/inbox (page of 50)', '/inbox', pageOf(50));
    await measure('GET /api/inbox?maxPageSize=100', '/inbox?maxPageSize=100', pageOf(100));
    await measure('GET /api/inbox/unread', '/inbox/unread', (body) => {
      if ((body as { unreadCount: number }).unreadCount !== INBOX_THREADS) throw new Error('wrong badge');
    });
  } finally {
    await stack.close();
    await azurite.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
