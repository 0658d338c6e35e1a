import { deleteFilesOf } from '../attachments/attachment-events';
import type { ServicesProvider } from '../composition';
import { HANDLED_CHAT_EVENT_TYPES, parseChatEvent } from '../events/chat-event-schemas';
import { isInboxEventType } from '../events/inbox-event-schemas';
import type { FunctionDefinition } from './definition';

/**
 * `chatEvents`: the Event Grid trigger ACS chat events are delivered to (one event per invocation): thread records,
 * then inboxes, then live updates (best effort: they never fail the delivery), then the files of deleted messages
 * and threads, then the after-the-fact moderation check of messages that did not pass ours. A thrown error answers
 * the delivery with a failure, and Event Grid tries again later.
 */
export function chatEventFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'eventGrid',
      name: 'chatEvents',
      eventTypes: HANDLED_CHAT_EVENT_TYPES,
      handler: async (event, context) => {
        const { chatEvents, inbox, live, attachments, screening, unreadScheduler } = await services();
        const parsed = parseChatEvent(event);
        const forInbox = isInboxEventType(parsed.eventType);
        // An event only inboxes use is not reported as unhandled by the thread records' handler.
        if (parsed.kind !== 'unhandled' || !forInbox) await chatEvents.handle(parsed, context);
        if (forInbox || parsed.kind !== 'unhandled') {
          const entries = await inbox.handleEvent(event, context);
          await live.handleEvent(event, entries, context);
          await unreadScheduler?.scheduleFrom(entries, context);
        }
        const filesDeleted = await deleteFilesOf(event, attachments);
        if (filesDeleted > 0) context.log('attachments deleted', { eventType: parsed.eventType, filesDeleted });
        // Last: a check still running elsewhere fails the delivery, and what came before is idempotent.
        await screening?.handleEvent(event, context);
      },
    },
  ];
}
