import type { TableClient } from '@azure/data-tables';

import { IdempotencyRepository } from '../../../src/storage/idempotency-repository';
import { InboxRepository } from '../../../src/storage/inbox-repository';
import { ReportRepository } from '../../../src/storage/moderation-repository';
import { ScreeningRepository } from '../../../src/storage/screening-repository';
import { UsageRepository } from '../../../src/storage/usage-repository';
import { startTestStack, type TestStack } from '../../helpers/stack';

/**
 * enforceRetention on the emulator's clock: rows are written through the repositories at one time, the clock moves on
 * past their retention, and the timer (run as Core Tools does) deletes exactly the expired ones.
 */
const BUDGET = 10;
const DAY = 86_400_000;

describe('enforceRetention', () => {
  let stack: TestStack;
  const now = (): number => stack.emulator!.control.now();

  beforeAll(async () => {
    stack = await startTestStack(
      { RETENTION_DELETIONS_PER_RUN: String(BUDGET), INBOX_LEFT_RETENTION_DAYS: '7' },
      { emulatorClock: true, liveUpdates: false, attachments: false },
    );
  });
  afterAll(() => stack.close());

  async function runTimer(): Promise<Record<string, { deleted: number; complete: boolean }>> {
    const before = stack.logs.length;
    await stack.runTimer('enforceRetention');
    for (let waited = 0; waited < 20_000; waited += 50) {
      const done = stack.logs
        .slice(before)
        .find((log) => log.functionName === 'enforceRetention' && log.args[0] === 'retention run finished');
      if (done) return done.args[1] as Record<string, { deleted: number; complete: boolean }>;
      const failed = stack.logs
        .slice(before)
        .find((log) => log.functionName === 'enforceRetention' && log.level === 'error');
      if (failed) throw new Error(`enforceRetention failed: ${JSON.stringify(failed.args)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('enforceRetention did not finish');
  }

  async function keys(table: TableClient): Promise<string[]> {
    const found: string[] = [];
    for await (const entity of table.listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } }))
      found.push(`${entity.partitionKey}/${entity.rowKey}`);
    return found.sort();
  }

  it('deletes expired rows of each kind and leaves live ones alone', async () => {
    const { tables } = await stack.services();
    const usage = new UsageRepository(tables.usage, now);
    const requests = new IdempotencyRepository(tables.requests, now);
    const inbox = new InboxRepository(tables.inbox, now);
    const screening = new ScreeningRepository(tables.moderation);
    const reports = new ReportRepository(tables.moderation);
    const leave = (user: string, thread: string) =>
      inbox.update(user, thread, (state) => ({ ...state, member: { in: false, at: now() } }));
    const join = (user: string, thread: string) =>
      inbox.update(user, thread, (state) => ({ ...state, member: { in: true, at: now() }, lastActivityOn: now() }));
    const report = (id: string, resolved: boolean) => ({
      id: `r${now().toString(36).padStart(9, '0')}-${id}`,
      threadId: `thread-${id}`,
      messageId: '1',
      reporter: `reporter-${id}`,
      reason: 'spam' as const,
      status: resolved ? ('resolved' as const) : ('open' as const),
      filedOn: new Date(now()).toISOString(),
      message: { type: 'text', content: 'x', createdOn: new Date(now()).toISOString() },
      ...(resolved
        ? { resolution: { action: 'dismiss' as const, by: 'admin', on: new Date(now()).toISOString() } }
        : {}),
    });

    // Old rows: written now, expired once the clock has moved on by more than a year.
    const oldCharge = await usage.charge('old-user', new Date(Math.floor(now() / 3_600_000) * 3_600_000), {
      threads: 1,
      identities: 0,
    });
    await requests.claim('old-key', 'createThread', 'hash');
    await leave('acs-user', 'left-long-ago');
    await join('acs-user', 'still-in');
    const checkEtag = await screening.create('thread-a', 'old-message', 1, now());
    await screening.update('thread-a', 'old-message', checkEtag!, { version: 1, state: 'allowed', since: now() });
    await screening.create('thread-a', 'still-checking', 1, now());
    await reports.file(report('resolved', true));
    await reports.file(report('open', false));

    stack.emulator!.control.advanceClock(400 * DAY);

    // Live rows: written after the clock moved.
    await usage.charge('new-user', new Date(Math.floor(now() / 3_600_000) * 3_600_000), { threads: 1, identities: 0 });
    await requests.claim('new-key', 'createThread', 'hash');
    await leave('acs-user', 'left-just-now');
    await leave('acs-user', 'still-in-then-left');

    const before = {
      usage: await keys(tables.usage),
      requests: await keys(tables.requests),
      inbox: await keys(tables.inbox),
      moderation: await keys(tables.moderation),
    };
    let summary = await runTimer();
    while (!Object.values(summary).every((sweep) => sweep.complete)) summary = await runTimer();

    expect(await keys(tables.usage)).toEqual(before.usage.filter((key) => !key.endsWith(oldCharge.rowKey)));
    expect(await keys(tables.requests)).toEqual(['new-key/createThread']);
    expect(await keys(tables.inbox)).toEqual(before.inbox.filter((key) => key !== 'acs-user/left-long-ago').sort());
    expect(await keys(tables.inbox)).toEqual([
      'acs-user/left-just-now',
      'acs-user/still-in',
      'acs-user/still-in-then-left',
    ]);
    const moderation = await keys(tables.moderation);
    expect(moderation.filter((key) => key.includes('old-message'))).toEqual([]);
    expect(moderation.filter((key) => key.includes('still-checking'))).toHaveLength(1);
    expect(moderation.filter((key) => key.startsWith('report/'))).toEqual([
      expect.stringMatching(/^report\/r.*-open$/),
    ]);
    // The resolved report's reporter marker went with it; the open one's stays.
    expect(moderation.filter((key) => key.startsWith('reporter-'))).toHaveLength(1);
    expect(before.moderation.filter((key) => key.startsWith('reporter-'))).toHaveLength(2);
  });

  it('deletes at most RETENTION_DELETIONS_PER_RUN rows a run, and the next runs finish the backlog', async () => {
    const { tables } = await stack.services();
    const requests = new IdempotencyRepository(tables.requests, now);
    await Promise.all(Array.from({ length: 3 * BUDGET }, (_, i) => requests.claim(`backlog-${i}`, 'op', 'hash')));
    stack.emulator!.control.advanceClock(2 * DAY);
    const live = new IdempotencyRepository(tables.requests, now);
    await live.claim('young-key', 'op', 'hash');

    const deletedPerRun: number[] = [];
    for (let run = 0; run < 6; run += 1) {
      const summary = await runTimer();
      deletedPerRun.push(Object.values(summary).reduce((sum, sweep) => sum + sweep.deleted, 0));
      if ((await keys(tables.requests)).filter((key) => key.startsWith('backlog-')).length === 0) break;
    }
    expect(deletedPerRun.every((deleted) => deleted <= BUDGET)).toBe(true);
    expect(deletedPerRun.length).toBeGreaterThanOrEqual(3);
    expect(await keys(tables.requests)).toEqual(['young-key/op']);
  });
});
