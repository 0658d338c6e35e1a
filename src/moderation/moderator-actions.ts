import type { InvocationContext } from '@azure/functions';

import type { AcsChat } from '../chat/acs-chat';
import { fromThreadCall } from '../chat/errors';
import { isStatus } from '../storage/errors';
import { rethrowAs } from '../upstream-errors';

/**
 * What moderation does to messages and people in ACS. ACS lets only a message's sender delete it, so the backend
 * deletes as the sender's identity (as the owner's delete does); it removes people as its service identity, a
 * participant of every thread it manages.
 */
export class ModeratorActions {
  constructor(private readonly acs: AcsChat) {}

  /**
   * Deletes a message as its sender. True when deleted now or already gone; false when ACS refuses the sender (they
   * left the thread, so ACS no longer lets them touch it).
   */
  async deleteAsSender(threadId: string, messageId: string, senderAcsUserId: string): Promise<boolean> {
    try {
      await this.acs.asUser(
        senderAcsUserId,
        (client) => client.getChatThreadClient(threadId).deleteMessage(messageId),
        'chat.join.limited',
        'backendTask',
      );
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return true;
      if (isStatus(error, 403)) return false;
      throw fromThreadCall(error);
    }
  }

  /** Removes someone from a thread; nothing happens when they are not in it (or the thread is gone). */
  async removeFromThread(threadId: string, acsUserId: string, context?: InvocationContext): Promise<void> {
    await this.acs
      .asService(
        (client) => client.getChatThreadClient(threadId).removeParticipant({ communicationUserId: acsUserId }),
        context,
      )
      .catch((error: unknown) => {
        if (!isStatus(error, 404)) rethrowAs(fromThreadCall)(error);
      });
  }
}
