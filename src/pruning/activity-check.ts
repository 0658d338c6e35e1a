import type { ChatMessage } from '@azure/communication-chat';
import type { InvocationContext } from '@azure/functions';

import type { AcsChat } from '../chat/acs-chat';
import { onePage } from '../chat/paging';
import { isStatus } from '../storage/errors';

/** What ACS says about a thread whose index entry has expired. */
export type ThreadActivity = { state: 'gone' } | { state: 'idle' } | { state: 'active'; lastActivityOn: Date };

/**
 * Asks ACS, as the service identity (a participant of every thread the backend created), whether anything happened
 * in a thread since `cutoff`: one call, listing messages with `startTime = cutoff` and a page size of 1.
 *
 * Every message counts as activity, system messages included (participants added or removed, topic changes): they
 * are changes people made to the thread, and when in doubt a thread is kept rather than deleted. Creation's own
 * system messages carry the creation time, which is the index entry's baseline, so they never keep an expired
 * thread alive. `startTime` keeps messages created, edited or deleted at or after it, so edits and deletions
 * count too; the activity time is the latest of the three on the message returned.
 *
 * 404 (deleted, by anyone or by ACS retention) and 403 (the service identity is no longer a participant, so the
 * backend can neither see nor delete it) mean the thread is gone for us. `abortSignal` ends the call, including the
 * SDK's own waits for Retry-After, which are otherwise unbounded.
 */
export async function checkActivity(
  acs: AcsChat,
  threadId: string,
  cutoff: Date,
  options: { context?: InvocationContext; abortSignal?: AbortSignal } = {},
): Promise<ThreadActivity> {
  const { context, abortSignal } = options;
  try {
    const page = await acs.asService(
      (client) =>
        onePage(
          client
            .getChatThreadClient(threadId)
            .listMessages({ maxPageSize: 1, startTime: cutoff, ...(abortSignal ? { abortSignal } : {}) }),
          undefined,
        ),
      context,
    );
    return activityOf(page.items, cutoff);
  } catch (error) {
    if (isStatus(error, 404, 403)) return { state: 'gone' };
    throw error;
  }
}

/**
 * Classifies the newest messages at or after the cut-off. The activity time is never before the cut-off (ACS said
 * something happened since then), so a re-indexed entry can never be found expired again by the same run.
 */
export function activityOf(
  messages: Pick<ChatMessage, 'createdOn' | 'editedOn' | 'deletedOn'>[],
  cutoff: Date,
): ThreadActivity {
  if (messages.length === 0) return { state: 'idle' };
  const times = messages.flatMap((message) => [message.createdOn, message.editedOn, message.deletedOn].filter(isDate));
  const latest = Math.max(cutoff.getTime(), ...times.map((date) => date.getTime()));
  return { state: 'active', lastActivityOn: new Date(latest) };
}

function isDate(value: Date | undefined): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
