import { beginThread, locationHeader, type ThreadCall } from './chat-common';
import type { Handler, RequestContext } from './context';
import { badRequest, forbidden, notFound } from './errors';
import { nextLink, pageRequest, parseStartTime } from './paging';
import { objectBody, optionalMetadata, optionalString, patchMetadata } from './request';
import { messageModel } from './serialize';
import type { MessageRecord } from './store';

/** Message operations: send, get, list, update, delete. */

export const MAX_CONTENT_BYTES = 28 * 1024;

function contentOf(body: Record<string, unknown>, required: boolean): string | undefined {
  const content = optionalString(body, 'content');
  if (content === undefined) {
    if (required) throw badRequest("'content' is required.", 'InvalidRequestBody');
    return undefined;
  }
  if (Buffer.byteLength(content, 'utf8') > MAX_CONTENT_BYTES) {
    throw badRequest('The message content exceeds the maximum size of 28 KB.', 'MessageTooLarge');
  }
  return content;
}

/** A message the caller may see (respecting shareHistoryTime), else 404. */
export function visibleMessage(ctx: RequestContext, call: ThreadCall, id = ctx.params[1] ?? ''): MessageRecord {
  const m = call.thread.messageIndex.get(id);
  if (!m || m.createdOn < call.me.shareHistoryTime) throw notFound(`Chat message '${id}' was not found.`);
  return m;
}

function ownMessage(ctx: RequestContext, call: ThreadCall): MessageRecord {
  const m = visibleMessage(ctx, call);
  if (m.senderId !== call.caller.userId) throw forbidden('Only the sender of a message can update or delete it.');
  return m;
}

const sendMessage: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  const body = objectBody(ctx);
  const content = contentOf(body, true);
  const type = body.type ?? 'text';
  if (type !== 'text' && type !== 'html') throw badRequest("'type' must be 'text' or 'html'.", 'InvalidRequestBody');
  const senderDisplayName = optionalString(body, 'senderDisplayName');
  const metadata = optionalMetadata(body);
  const rec: Omit<MessageRecord, 'id' | 'sequenceId' | 'version' | 'createdOn'> = {
    type,
    senderId: call.caller.userId,
    message: content,
  };
  if (senderDisplayName !== undefined) rec.senderDisplayName = senderDisplayName;
  if (metadata !== undefined) rec.metadata = metadata;
  const m = st.store.appendMessage(call.thread, rec, call.now);
  st.events.messageReceived(call.thread, m, call.now);
  const path = `/chat/threads/${encodeURIComponent(call.thread.id)}/messages/${m.id}`;
  return { status: 201, body: { id: m.id }, headers: locationHeader(ctx.baseUrl, path) };
};

const getMessage: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  return { status: 200, body: messageModel(visibleMessage(ctx, call)) };
};

/**
 * Newest first, keyset-paged on sequenceId (new messages never shift a page). startTime keeps messages
 * created, edited or deleted at or after it; shareHistoryTime hides everything created before it.
 */
const listMessages: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  const { state, maxPageSize } = pageRequest(ctx.query);
  const startTime = state ? (state.s === undefined ? undefined : Number(state.s)) : parseStartTime(ctx.query);
  const before = state ? Number(state.c) : call.thread.messages.length + 1;
  const msgs = call.thread.messages;
  const from = call.me.shareHistoryTime;
  const value: Record<string, unknown>[] = [];
  let more = false;
  for (let i = Math.min(before - 1, msgs.length) - 1; i >= 0; i--) {
    const m = msgs[i] as MessageRecord;
    if (m.createdOn < from) continue;
    if (startTime !== undefined && Math.max(m.createdOn, m.editedOn ?? 0, m.deletedOn ?? 0) < startTime) continue;
    if (value.length === maxPageSize) {
      more = true;
      break;
    }
    value.push(messageModel(m));
  }
  const body: { value: Record<string, unknown>[]; nextLink?: string } = { value };
  if (more) {
    const last = value[value.length - 1] as { sequenceId: string };
    const next: Record<string, number> = { c: Number(last.sequenceId) };
    if (startTime !== undefined) next.s = startTime;
    body.nextLink = nextLink(
      ctx.baseUrl,
      `/chat/threads/${encodeURIComponent(call.thread.id)}/messages`,
      next,
      maxPageSize,
      call.apiVersion,
    );
  }
  return { status: 200, body };
};

const updateMessage: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  const m = ownMessage(ctx, call);
  if (m.deletedOn !== undefined) throw notFound(`Chat message '${m.id}' was deleted.`);
  const body = objectBody(ctx);
  const content = contentOf(body, false);
  const metadata = patchMetadata(body);
  if (content !== undefined) m.message = content;
  if (metadata === null) delete m.metadata;
  else if (metadata !== undefined) m.metadata = metadata;
  m.editedOn = call.now;
  m.version = st.store.nextMessageId(call.now);
  st.store.changed();
  st.events.messageEdited(call.thread, m, call.now);
  return { status: 204 };
};

const deleteMessage: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  const m = ownMessage(ctx, call);
  if (m.deletedOn === undefined) {
    m.deletedOn = call.now;
    m.version = st.store.nextMessageId(call.now);
    st.store.changed();
    st.events.messageDeleted(call.thread, m, call.now);
  }
  return { status: 204 };
};

const sendTyping: Handler = async (ctx, st) => {
  await beginThread(ctx, st);
  optionalString(objectBody(ctx, false), 'senderDisplayName');
  return { status: 200 };
};

export const messageHandlers: Record<string, Handler> = {
  'chat.sendMessage': sendMessage,
  'chat.getMessage': getMessage,
  'chat.listMessages': listMessages,
  'chat.updateMessage': updateMessage,
  'chat.deleteMessage': deleteMessage,
  'chat.sendTyping': sendTyping,
};
