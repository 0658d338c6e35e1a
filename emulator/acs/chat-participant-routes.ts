import { beginThread, MAX_PARTICIPANTS_PER_THREAD, parseParticipants, requireLevel, threadPage } from './chat-common';
import { visibleMessage } from './chat-message-routes';
import type { Handler } from './context';
import { badRequest } from './errors';
import { rawIdOf } from './identifiers';
import { jsonBody, objectBody, optionalString } from './request';
import { participantModel, readReceiptModel } from './serialize';

/** Participant operations plus read receipts. */

const addParticipants: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  requireLevel(call, ['chat', 'chat.join']);
  const { valid, invalid } = parseParticipants(st.store, objectBody(ctx).participants, true);
  const t = call.thread;
  const newcomers = valid.filter((p) => !t.participants.has(p.id)).length;
  if (t.participants.size + newcomers > MAX_PARTICIPANTS_PER_THREAD) {
    throw badRequest(
      `A chat thread can have at most ${MAX_PARTICIPANTS_PER_THREAD} participants.`,
      'TooManyParticipants',
    );
  }
  const added = st.store.upsertParticipants(t, valid);
  if (added.length > 0)
    st.store.appendMessage(
      t,
      { type: 'participantAdded', participants: added, initiatorId: call.caller.userId },
      call.now,
    );
  st.events.participantsAdded(t, added, call.caller.userId, call.now);
  return { status: 201, body: invalid.length > 0 ? { invalidParticipants: invalid } : {} };
};

const listParticipants: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  const page = threadPage(ctx, call, [...call.thread.participants.values()], 'participants');
  return { status: 200, body: { ...page, value: page.value.map(participantModel) } };
};

/** Removing someone who is not (or no longer) a participant is a no-op 204, like the service. */
const removeParticipant: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  requireLevel(call, ['chat', 'chat.join']);
  const id = rawIdOf(jsonBody(ctx));
  if (id === undefined) throw badRequest('The body must be a CommunicationIdentifierModel.', 'InvalidRequestBody');
  const removed = st.store.removeParticipant(call.thread, id);
  if (removed)
    st.store.appendMessage(
      call.thread,
      { type: 'participantRemoved', participants: [removed], initiatorId: call.caller.userId },
      call.now,
    );
  if (removed) st.events.participantRemoved(call.thread, removed, call.caller.userId, call.now);
  return { status: 204 };
};

const sendReadReceipt: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  const messageId = optionalString(objectBody(ctx), 'chatMessageId');
  if (!messageId) throw badRequest("'chatMessageId' is required.", 'InvalidRequestBody');
  visibleMessage(ctx, call, messageId);
  call.thread.readReceipts.set(call.caller.userId, { userId: call.caller.userId, messageId, readOn: call.now });
  st.store.changed();
  return { status: 200 };
};

const listReadReceipts: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  const page = threadPage(ctx, call, [...call.thread.readReceipts.values()], 'readReceipts');
  return { status: 200, body: { ...page, value: page.value.map(readReceiptModel) } };
};

export const participantHandlers: Record<string, Handler> = {
  'chat.addParticipants': addParticipants,
  'chat.listParticipants': listParticipants,
  'chat.removeParticipant': removeParticipant,
  'chat.sendReadReceipt': sendReadReceipt,
  'chat.listReadReceipts': listReadReceipts,
};
