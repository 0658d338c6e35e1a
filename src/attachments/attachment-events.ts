import * as z from 'zod';

import type { AttachmentService } from './attachment-service';

/**
 * Files go with what carries them: a deleted message's (ChatMessageDeletedInThread: one event per message, whoever
 * deleted it, through the API or straight in ACS) and a deleted thread's (ChatThreadDeleted: by its owner, an admin,
 * or pruning). Each delivery does bounded work; when files remain, it fails so that Event Grid delivers it again.
 */

const P = 'microsoft.communication.';
const messageDeleted = z.object({ threadId: z.string().min(1), messageId: z.string().min(1) });
const threadDeleted = z.object({ threadId: z.string().min(1) });
const envelope = z.object({ eventType: z.string(), data: z.unknown() });

/** Files deleted per delivery: a few seconds of Storage calls, far inside a function's timeout. */
const FILES_PER_DELIVERY = 100;

/** Thrown to have Event Grid deliver the event again: more files are left than one delivery deletes. */
export class AttachmentCleanupContinues extends Error {
  override readonly name = 'AttachmentCleanupContinues';
}

export async function deleteFilesOf(event: unknown, attachments: AttachmentService): Promise<number> {
  if (!attachments.enabled) return 0;
  const { eventType, data } = envelope.parse(event);
  const type = eventType.toLowerCase();
  let target: { threadId: string; messageId?: string } | undefined;
  if (type === `${P}chatmessagedeletedinthread`) target = messageDeleted.parse(data);
  else if (type === `${P}chatthreaddeleted`) target = threadDeleted.parse(data);
  if (!target) return 0;
  const { deleted, more } = await attachments.deleteClaimed(target.threadId, target.messageId, FILES_PER_DELIVERY);
  if (more) throw new AttachmentCleanupContinues(`${deleted} files deleted; more remain, continuing on redelivery`);
  return deleted;
}
