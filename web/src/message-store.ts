import type { Message } from '../../client';
import { isNewer, type LiveMessage } from '../../client/live';

/** A message as the page keeps it: what a live update carries, plus the list's `sequenceId` when it came from there. */
export type ShownMessage = LiveMessage & { sequenceId?: string };

/**
 * The open thread's messages, from pages of the API and from live updates, which arrive at least once and in any
 * order: a stale or repeated update never replaces a newer state, and a deletion is final.
 */
export class MessageStore {
  private readonly byId = new Map<string, ShownMessage>();
  /** The newest time the server stamped on anything seen (created, edited, deleted): a poll's `startTime`. */
  latest: string | undefined;

  get(id: string): ShownMessage | undefined {
    return this.byId.get(id);
  }

  /** Keeps each message if it is news; returns the ones that changed what is shown. */
  merge(messages: readonly ShownMessage[]): ShownMessage[] {
    const changed: ShownMessage[] = [];
    for (const message of messages) {
      for (const stamp of [message.createdOn, message.editedOn, message.deletedOn])
        if (stamp && (!this.latest || stamp > this.latest)) this.latest = stamp;
      if (!isNewer(this.byId.get(message.id), message)) continue;
      this.byId.set(message.id, message);
      changed.push(message);
    }
    return changed;
  }

  /** Text and HTML messages, oldest first (ACS message ids grow with time within a thread). */
  chat(): ShownMessage[] {
    return [...this.byId.values()]
      .filter((message) => message.type === 'text' || message.type === 'html')
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
  }
}

/** The fields of an API `Message` a page shows (system messages keep their type, so they are filtered out). */
export function shownMessage(message: Message): ShownMessage {
  const { content, metadata, sender, editedOn, deletedOn, senderDisplayName, attachments } = message;
  return {
    id: message.id,
    type: message.type,
    version: message.version,
    sequenceId: message.sequenceId,
    createdOn: message.createdOn,
    ...(content?.message !== undefined ? { content: { message: content.message } } : {}),
    ...(senderDisplayName ? { senderDisplayName } : {}),
    ...(sender ? { sender } : {}),
    ...(editedOn ? { editedOn } : {}),
    ...(deletedOn ? { deletedOn } : {}),
    ...(metadata ? { metadata } : {}),
    ...(attachments?.length ? { attachments } : {}),
  };
}
