import { randomUUID } from 'node:crypto';

import { TableClient } from '@azure/data-tables';
import fc from 'fast-check';

import { applyInboxChange } from '../../src/inbox/inbox-state';
import { InboxRepository } from '../../src/storage/inbox-repository';
import { deliveries, expectedOf, ME, observed } from '../helpers/inbox-model';

/**
 * The inbox repository on real Tables (Azurite) under concurrent, duplicated and reordered delivery: several
 * instances apply changes to one entry at once, and the ETag-conditional writes must lose none of them.
 */
describe('inbox entries on Tables under concurrent delivery', () => {
  let table: TableClient;
  let repository: InboxRepository;

  beforeAll(async () => {
    const connectionString = process.env.TEST_TABLES_CONNECTION_STRING!;
    table = TableClient.fromConnectionString(connectionString, `inbox${randomUUID().replace(/-/g, '').slice(0, 12)}`, {
      allowInsecureConnection: true,
    });
    await table.createTable();
    repository = new InboxRepository(table);
  });
  afterAll(() => table.deleteTable());

  it('keeps what the model says whatever the interleaving (3 concurrent writers)', async () => {
    await fc.assert(
      fc.asyncProperty(deliveries(3), async ({ scenario, delivered }) => {
        const threadId = `19:${randomUUID()}@thread.v2`;
        const queue = [...delivered];
        const writer = async (): Promise<void> => {
          for (let change = queue.shift(); change; change = queue.shift()) {
            await repository.update(ME, threadId, (state) => applyInboxChange(state, change));
          }
        };
        await Promise.all([writer(), writer(), writer()]);
        const stored = await repository.get(ME, threadId);
        const expected = expectedOf(scenario);
        expect(stored && observed(stored)).toEqual(expected);
        const listed = (await repository.list(ME)).find((row) => row.threadId === threadId);
        expect(listed && { unreadCount: listed.unreadCount, lastMessageId: listed.lastMessage?.id }).toEqual(
          expected.present ? { unreadCount: expected.unreadCount, lastMessageId: expected.lastMessage?.id } : undefined,
        );
      }),
      { numRuns: 4 },
    );
  });
});
