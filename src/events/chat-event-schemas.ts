import type { SystemEventNameToEventData } from '@azure/eventgrid';
import * as z from 'zod';

import { INBOX_EVENT_TYPES } from './inbox-event-schemas';

/**
 * The ACS chat events the backend acts on, validated with zod against the fields it uses. Each data schema is
 * checked at compile time against the system event data type of @azure/eventgrid, so a field we read is a field the
 * Azure package declares (names and types); that package is only ever imported for its types.
 */

export const MESSAGE_RECEIVED_IN_THREAD = 'Microsoft.Communication.ChatMessageReceivedInThread';
export const THREAD_DELETED = 'Microsoft.Communication.ChatThreadDeleted';
export const THREAD_CREATED = 'Microsoft.Communication.ChatThreadCreated';

/** What `chatEvents` handles, and so what infra subscribes it to (thread records, then inboxes). */
export const HANDLED_CHAT_EVENT_TYPES = [
  MESSAGE_RECEIVED_IN_THREAD,
  THREAD_DELETED,
  ...INBOX_EVENT_TYPES,
] as const satisfies readonly (keyof SystemEventNameToEventData)[];

type EventData<Name extends keyof SystemEventNameToEventData> = SystemEventNameToEventData[Name];

const isoTime = z.iso.datetime({ offset: true });

const messageReceivedInThreadData = z.object({
  threadId: z.string().min(1),
  messageId: z.string().min(1),
  composeTime: isoTime.optional(),
}) satisfies z.ZodType<Pick<EventData<typeof MESSAGE_RECEIVED_IN_THREAD>, 'threadId' | 'messageId' | 'composeTime'>>;

const threadDeletedData = z.object({
  threadId: z.string().min(1),
  deleteTime: isoTime.optional(),
}) satisfies z.ZodType<Pick<EventData<typeof THREAD_DELETED>, 'threadId' | 'deleteTime'>>;

const threadCreatedData = z.object({
  threadId: z.string().min(1),
  createTime: isoTime.optional(),
  participants: z.array(z.object({ participantCommunicationIdentifier: z.object({ rawId: z.string() }) })),
}) satisfies z.ZodType<{
  threadId: string;
  createTime?: string;
  participants: Array<{ participantCommunicationIdentifier: { rawId: string } }>;
}> &
  z.ZodType<Pick<EventData<typeof THREAD_CREATED>, 'threadId'>>;

/** The Event Grid schema envelope, as the Functions host hands it to an Event Grid trigger. */
const envelope = z.object({
  id: z.string().min(1),
  eventType: z.string().min(1),
  subject: z.string(),
  eventTime: isoTime,
  data: z.unknown(),
});

/** A chat event reduced to what the backend needs, or the reason it is not acted on. */
export type ChatEvent = { id: string; eventType: string } & (
  | { kind: 'messageReceivedInThread'; threadId: string; messageId: string; activityOn: Date }
  | { kind: 'threadDeleted'; threadId: string }
  | { kind: 'threadCreated'; threadId: string; createdOn: Date; participantIds: string[] }
  | { kind: 'unhandled' }
  | { kind: 'invalid'; issues: string[] }
);

export function parseChatEvent(input: unknown): ChatEvent {
  const parsedEnvelope = envelope.safeParse(input);
  if (!parsedEnvelope.success) {
    const raw = input as { id?: unknown; eventType?: unknown } | null | undefined;
    return {
      id: typeof raw?.id === 'string' ? raw.id : 'unknown',
      eventType: typeof raw?.eventType === 'string' ? raw.eventType : 'unknown',
      kind: 'invalid',
      issues: issuesOf(parsedEnvelope.error),
    };
  }
  const { id, eventType, eventTime, data } = parsedEnvelope.data;
  const head = { id, eventType };
  // Event types are case-insensitive strings in Event Grid filters; compare them the same way.
  switch (eventType.toLowerCase()) {
    case MESSAGE_RECEIVED_IN_THREAD.toLowerCase(): {
      const parsed = messageReceivedInThreadData.safeParse(data);
      if (!parsed.success) return { ...head, kind: 'invalid', issues: issuesOf(parsed.error) };
      const { threadId, messageId, composeTime } = parsed.data;
      return {
        ...head,
        kind: 'messageReceivedInThread',
        threadId,
        messageId,
        activityOn: new Date(composeTime ?? eventTime),
      };
    }
    case THREAD_DELETED.toLowerCase(): {
      const parsed = threadDeletedData.safeParse(data);
      if (!parsed.success) return { ...head, kind: 'invalid', issues: issuesOf(parsed.error) };
      return { ...head, kind: 'threadDeleted', threadId: parsed.data.threadId };
    }
    case THREAD_CREATED.toLowerCase(): {
      const parsed = threadCreatedData.safeParse(data);
      if (!parsed.success) return { ...head, kind: 'invalid', issues: issuesOf(parsed.error) };
      return {
        ...head,
        kind: 'threadCreated',
        threadId: parsed.data.threadId,
        createdOn: new Date(parsed.data.createTime ?? eventTime),
        participantIds: parsed.data.participants.map((p) => p.participantCommunicationIdentifier.rawId),
      };
    }
    default:
      return { ...head, kind: 'unhandled' };
  }
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
}
