import type { ServicesProvider } from '../composition';
import { HANDLED_CHAT_EVENT_TYPES, parseChatEvent } from '../events/chat-event-schemas';
import type { FunctionDefinition } from './definition';

/**
 * `chatEvents`: the Event Grid trigger ACS chat events are delivered to (one event per invocation). A thrown error
 * answers the delivery with a failure, and Event Grid tries again later.
 */
export function chatEventFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'eventGrid',
      name: 'chatEvents',
      eventTypes: HANDLED_CHAT_EVENT_TYPES,
      handler: async (event, context) => {
        const { chatEvents } = await services();
        await chatEvents.handle(parseChatEvent(event), context);
      },
    },
  ];
}
