import { setTimeout as sleep } from 'node:timers/promises';

import { DEV_EVENT_TIME_SCALE, orphanDeletedAfterMs, orphanGraceSeconds } from '../../dev/event-clock';
import { signIn } from '../helpers/api';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * An orphan thread (in ACS, without our record) is deleted by the dev stack as `npm run dev` configures it: the
 * emulated Event Grid's clock and the grace period it derives from it, neither overridden here.
 */

/** Room for the webhook round trips and a busy machine, well short of the next redelivery (6 s later). */
const SLACK_MS = 2_000;

describe('orphan threads in the dev stack', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true });
  });
  afterAll(() => stack.close());

  const control = () => stack.emulator!.control;

  it("runs the orphan grace period on the emulated Event Grid's clock, as npm run dev does", () => {
    expect(control().getEventDelivery().timeScale).toBe(DEV_EVENT_TIME_SCALE);
    expect(stack.info.chatEvents?.timeScale).toBe(DEV_EVENT_TIME_SCALE);
    expect(stack.config.orphanThreadGraceSeconds).toBe(orphanGraceSeconds(DEV_EVENT_TIME_SCALE));
    // Azure's 300 s compressed like the retry schedule: the fifth delivery (400 s there) finds the orphan past it.
    expect(orphanGraceSeconds(DEV_EVENT_TIME_SCALE)).toBe(300 * DEV_EVENT_TIME_SCALE);
    expect(orphanDeletedAfterMs(300_000, 1)).toBe(400_000);
    expect(orphanDeletedAfterMs(stack.config.orphanThreadGraceSeconds * 1000, DEV_EVENT_TIME_SCALE)).toBe(
      400_000 * DEV_EVENT_TIME_SCALE,
    );
  });

  it('deletes a thread ACS has and our Tables do not, on the first redelivery after the grace period', async () => {
    // Created in ACS by the backend's own identity, as a create whose record Tables then failed to write.
    const { chat } = await stack.services();
    const created = await chat.acs.asService((client) => client.createChatThread({ topic: 'orphan' }));
    const orphanId = created.chatThread!.id;
    const owner = await signIn(stack, 'orphan-owner');
    const recorded = await owner.request<{ thread: { id: string } }>('POST', '/threads', { topic: 'recorded' });
    expect(recorded.status).toBe(201);

    const graceMs = stack.config.orphanThreadGraceSeconds * 1000;
    const expectedMs = orphanDeletedAfterMs(graceMs, control().getEventDelivery().timeScale);
    // Seconds, not the minutes Azure takes (undefined: never, the event would be given up first).
    expect(expectedMs).toBeLessThanOrEqual(5_000);
    const createdOn = Date.parse(control().getThread(orphanId)!.createdOn);
    while (!control().getThread(orphanId)!.deleted && Date.now() < createdOn + expectedMs! + SLACK_MS) await sleep(100);

    const orphan = control().getThread(orphanId)!;
    expect(orphan.deleted).toBe(true);
    const deletedAfterMs = Date.parse(orphan.deletedOn!) - createdOn;
    expect(deletedAfterMs).toBeGreaterThanOrEqual(graceMs);
    expect(deletedAfterMs).toBeLessThan(expectedMs! + SLACK_MS);
    // Refused until then (Event Grid delivered it again), and neither given up nor left waiting.
    const deferrals = stack.logs.filter(
      (log) => log.args[0] === 'function threw' && String(log.args[1]).includes(orphanId),
    );
    expect(deferrals.length).toBeGreaterThanOrEqual(1);
    expect(await control().flushEvents(5_000)).toMatchObject({ settled: true, deadLettered: 0 });
    expect(control().getThread(recorded.body.thread.id)?.deleted).toBe(false);
  });
});
