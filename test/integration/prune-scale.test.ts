import { setTimeout as sleep } from 'node:timers/promises';

import type { PipelinePolicy } from '@azure/core-rest-pipeline';

import { createServices } from '../../src/composition';
import { PruneService } from '../../src/pruning/prune-service';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * Counts the Tables *entities* the backend reads (not just requests): every GET response body is inspected, a query
 * page counts its `value` items, a point read counts one.
 */
class EntityReadCounter {
  requests = 0;
  entities = 0;

  readonly policy: PipelinePolicy = {
    name: 'testEntityReadCounter',
    sendRequest: async (request, next) => {
      const response = await next(request);
      if (request.method === 'GET' && response.status === 200) {
        this.requests += 1;
        const body = response.bodyAsText ? (JSON.parse(response.bodyAsText) as { value?: unknown[] }) : {};
        this.entities += Array.isArray(body.value) ? body.value.length : 1;
      }
      return response;
    },
  };

  reset(): void {
    this.requests = 0;
    this.entities = 0;
  }
}

const TOTAL = 2_000;
const EXPIRED = 20;
const RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

describe('pruning at scale', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it(`reads 2 × ${EXPIRED} + a constant entities and makes at most 2 ACS calls per expired thread among ${TOTAL} threads`, async () => {
    const counter = new EntityReadCounter();
    // The backend's own composition over the stack's tables and ACS, with a counting policy on the Tables clients.
    const services = await createServices(stack.config, {
      tablesClientOptions: { additionalPolicies: [{ policy: counter.policy, position: 'perRetry' }] },
      acsClientOptions: {
        tlsOptions: { ca: stack.emulator!.caCertPem },
        retryOptions: { maxRetries: 2, retryDelayInMs: 50 },
      },
    });
    const owner = (i: number) => ({ userId: `scale-owner-${i}`, roles: [], isAdmin: false });
    const caller = owner(0);

    // 20 real threads (ACS + records) of 4 owners, 5 each (within ACS's 10 creations and deletions per user per
    // 10 s), created before the split ...
    const expired: string[] = [];
    for (let i = 0; i < EXPIRED; i += 5) {
      const created = await Promise.all(
        Array.from({ length: 5 }, (_, j) =>
          services.threads.create({ caller: owner(j % 4) }, { topic: `old-${i + j}` }, undefined),
        ),
      );
      expired.push(...created.map((result) => result.thread.id));
    }
    await sleep(20);
    const split = Date.now();
    await sleep(20);
    // ... and 1,980 records + index entries written after it (seeded straight into Tables; pruning never needs to
    // look at them, and any ACS call for one would show up as a 404 → "cleaned" in the summary).
    const live = Array.from({ length: TOTAL - EXPIRED }, (_, i) => `19:seed${String(i).padStart(4, '0')}@thread.v2`);
    for (let i = 0; i < live.length; i += 100) {
      await Promise.all(
        live
          .slice(i, i + 100)
          .map((threadId) =>
            services.chat.threads.create({ threadId, ownerUserId: caller.userId, createdOn: new Date() }),
          ),
      );
    }

    let indexed = 0;
    for await (const _entry of (await stack.services()).tables.activity.listEntities()) indexed += 1;
    expect(indexed).toBe(TOTAL);

    // The clock of this run is moved so that its cut-off (now − 30 days) falls exactly on the split: the 20 are
    // expired, the 1,980 are not, and ACS (on the real clock) has seen nothing in the 20 since their creation.
    const shift = RETENTION_DAYS * DAY_MS - (Date.now() - split);
    const pruning = new PruneService(services.chat.threads, services.threads, services.chat.acs, {
      retentionDays: RETENTION_DAYS,
      now: () => Date.now() + shift,
    });
    counter.reset();
    stack.emulator!.control.resetCounts();

    const summary = await pruning.run({ budgetMs: 60_000 });

    expect(summary).toMatchObject({
      candidates: EXPIRED,
      deleted: EXPIRED,
      keptAlive: 0,
      cleaned: 0,
      failed: 0,
      deferred: 0,
      complete: true,
    });
    const counts = stack.emulator!.control.requestCounts();
    const chatCalls = Object.entries(counts).filter(([operation]) => operation.startsWith('chat.'));
    expect(Object.fromEntries(chatCalls)).toEqual({ 'chat.listMessages': EXPIRED, 'chat.deleteThread': EXPIRED });
    // Besides, this fresh process issues the service identity one ACS token (identity.issueToken: 1).
    expect(counts['identity.issueToken'] ?? 0).toBeLessThanOrEqual(1);
    // 20 index entries, their 20 records (one point read each: recorded activity spares an ACS call) and the service
    // identity's lookup (1 entity); one query per index shard (8), the 20 point reads and that lookup.
    expect(counter.entities).toBeLessThanOrEqual(2 * EXPIRED + 2);
    expect(counter.requests).toBeLessThanOrEqual(8 + EXPIRED + 2);
    console.info(
      `prune at scale: ${counter.entities} entities in ${counter.requests} Tables reads, ACS ${JSON.stringify(counts)}, ${summary.durationMs} ms`,
    );

    for (const threadId of expired) expect(stack.emulator!.control.getThread(threadId)?.deleted).toBe(true);
  });
});
