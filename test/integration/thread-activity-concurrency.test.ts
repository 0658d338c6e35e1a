import { randomUUID } from 'node:crypto';

import { TableClient } from '@azure/data-tables';
import fc from 'fast-check';

import { ThreadRepository } from '../../src/storage/thread-repository';

/**
 * Thread activity on real Tables (Azurite) under concurrent delivery: several instances record message events for one
 * thread at once, in any order. The record must end at the newest activity (within the precision), never at an older
 * one that happened to win a race.
 */
describe('thread activity on Tables under concurrent delivery', () => {
  const tables: TableClient[] = [];
  let repository: ThreadRepository;

  beforeAll(async () => {
    const connectionString = process.env.TEST_TABLES_CONNECTION_STRING!;
    const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
    for (const name of [`threads${suffix}`, `activity${suffix}`]) {
      const table = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
      await table.createTable();
      tables.push(table);
    }
    repository = new ThreadRepository(tables[0]!, tables[1]!);
  });
  afterAll(() => Promise.all(tables.map((table) => table.deleteTable())));

  const createdOn = new Date('2026-01-01T00:00:00Z');
  const PRECISION_MS = 1_000;

  it('ends at the newest activity whatever the interleaving (6 concurrent writers)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3_600 }), { minLength: 2, maxLength: 12 }),
        async (secondsAfterCreation) => {
          const threadId = `19:${randomUUID()}@thread.v2`;
          await repository.create({ threadId, ownerUserId: 'alice', createdOn });
          const queue = secondsAfterCreation.map((seconds) => new Date(createdOn.getTime() + seconds * 1_000));
          const writer = async (): Promise<void> => {
            for (let activityOn = queue.shift(); activityOn; activityOn = queue.shift()) {
              expect(await repository.recordActivity(threadId, activityOn, PRECISION_MS)).not.toBe('unknownThread');
            }
          };
          await Promise.all(Array.from({ length: 6 }, writer));
          const newest = createdOn.getTime() + Math.max(...secondsAfterCreation) * 1_000;
          const recorded = (await repository.get(threadId))!.lastActivityOn.getTime();
          expect(recorded).toBeLessThanOrEqual(newest);
          expect(recorded).toBeGreaterThanOrEqual(newest - PRECISION_MS);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('never recreates a thread deleted meanwhile', async () => {
    const threadId = `19:${randomUUID()}@thread.v2`;
    expect(await repository.recordActivity(threadId, new Date(), PRECISION_MS)).toBe('unknownThread');
    expect(await repository.get(threadId)).toBeUndefined();
  });
});
