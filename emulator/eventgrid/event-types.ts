/**
 * The ACS chat event types the emulator publishes, with their level (Learn "Azure Communication Services - Chat
 * events"; see contract/eventgrid/WIRE-NOTES.md). User-level events go once to every participant except the one who
 * caused them; thread-level events go once per thread.
 */

export const EVENT_TYPE_PREFIX = 'Microsoft.Communication.';

export const USER_LEVEL_EVENT_TYPES = [
  'ChatMessageReceived',
  'ChatMessageEdited',
  'ChatMessageDeleted',
  'ChatThreadCreatedWithUser',
  'ChatThreadWithUserDeleted',
  'ChatThreadPropertiesUpdatedPerUser',
  'ChatParticipantAddedToThreadWithUser',
  'ChatParticipantRemovedFromThreadWithUser',
] as const;

export const THREAD_LEVEL_EVENT_TYPES = [
  'ChatThreadCreated',
  'ChatThreadDeleted',
  'ChatThreadPropertiesUpdated',
  'ChatThreadParticipantAdded',
  'ChatThreadParticipantRemoved',
  'ChatMessageReceivedInThread',
  'ChatMessageEditedInThread',
  'ChatMessageDeletedInThread',
] as const;

export type ChatEventName = (typeof USER_LEVEL_EVENT_TYPES)[number] | (typeof THREAD_LEVEL_EVENT_TYPES)[number];

/** Every full event type the emulator can publish (`Microsoft.Communication.*`). */
export const CHAT_EVENT_TYPES: readonly string[] = [...USER_LEVEL_EVENT_TYPES, ...THREAD_LEVEL_EVENT_TYPES].map(
  (name) => EVENT_TYPE_PREFIX + name,
);

/** The Event Grid schema envelope (Learn "Azure Event Grid event schema"). */
export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: Record<string, unknown>;
  dataVersion: string;
  metadataVersion: string;
}
