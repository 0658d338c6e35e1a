import {
  beginChat,
  beginThread,
  locationHeader,
  MAX_PARTICIPANTS_PER_THREAD,
  parseParticipants,
  patchRetentionPolicy,
  requireLevel,
  retentionPolicyOf,
} from './chat-common';
import type { EmulatorState, Handler } from './context';
import { badRequest } from './errors';
import { offsetPage, pageRequest, parseStartTime } from './paging';
import { objectBody, optionalMetadata, optionalString, patchMetadata } from './request';
import { threadItemModel, threadModel } from './serialize';
import type { ParticipantRecord, ThreadRecord } from './store';

/** Thread-level chat operations: create, list, get, update, delete. */

const threadPath = (id: string): string => `/chat/threads/${encodeURIComponent(id)}`;

function createdResult(
  st: EmulatorState,
  baseUrl: string,
  threadId: string,
  invalid: { target: string; code: string; message: string }[],
) {
  const t = st.store.threads.get(threadId) as ThreadRecord;
  const body: Record<string, unknown> = { chatThread: threadModel(t) };
  if (invalid.length > 0) body.invalidParticipants = invalid;
  return { status: 201, body, headers: locationHeader(baseUrl, threadPath(threadId)) };
}

const createThread: Handler = async (ctx, st) => {
  const call = await beginChat(ctx, st);
  requireLevel(call, ['chat']);
  st.rateLimiter.check(ctx.operation, call.now, call.caller.userId);
  const rid = ctx.headers['repeatability-request-id'];
  const repeatKey = typeof rid === 'string' && rid !== '' ? `${call.caller.userId}\n${rid}` : undefined;
  const previous = repeatKey ? st.store.repeatability.get(repeatKey) : undefined;
  if (previous) return createdResult(st, ctx.baseUrl, previous.threadId, previous.invalidParticipants);

  const body = objectBody(ctx);
  const topic = optionalString(body, 'topic');
  if (topic === undefined || topic.trim() === '') throw badRequest("'topic' is required.", 'InvalidRequestBody');
  const metadata = optionalMetadata(body);
  const retentionPolicy = retentionPolicyOf(body);
  const { valid, invalid } = parseParticipants(st.store, body.participants, false);

  const store = st.store;
  const t = store.createThread(call.caller.userId, topic, call.now, metadata, retentionPolicy);
  const creator: ParticipantRecord = valid.find((p) => p.id === call.caller.userId) ?? {
    id: call.caller.userId,
    shareHistoryTime: 0,
  };
  const all = [creator, ...valid.filter((p) => p.id !== call.caller.userId)].slice(0, MAX_PARTICIPANTS_PER_THREAD);
  store.upsertParticipants(t, all);
  store.appendMessage(t, { type: 'topicUpdated', topic, initiatorId: call.caller.userId }, call.now);
  store.appendMessage(t, { type: 'participantAdded', participants: all, initiatorId: call.caller.userId }, call.now);
  if (repeatKey) store.repeatability.set(repeatKey, { threadId: t.id, invalidParticipants: invalid });
  st.events.threadCreated(t, call.caller.userId, call.now);
  return createdResult(st, ctx.baseUrl, t.id, invalid);
};

const listThreads: Handler = async (ctx, st) => {
  const call = await beginChat(ctx, st);
  st.rateLimiter.check(ctx.operation, call.now, call.caller.userId);
  const { state, maxPageSize } = pageRequest(ctx.query);
  const startTime = state ? (state.s === undefined ? undefined : Number(state.s)) : parseStartTime(ctx.query);
  const threads: ThreadRecord[] = [];
  for (const id of st.store.userThreads.get(call.caller.userId) ?? []) {
    const t = st.store.liveThread(id, call.now);
    if (t && (startTime === undefined || t.lastMessageReceivedOn >= startTime)) threads.push(t);
  }
  threads.sort((a, b) => b.lastMessageReceivedOn - a.lastMessageReceivedOn || (a.id < b.id ? -1 : 1));
  const link = { baseUrl: ctx.baseUrl, path: '/chat/threads', apiVersion: call.apiVersion };
  const page = offsetPage(
    threads,
    ctx.query,
    state,
    maxPageSize,
    link,
    startTime === undefined ? {} : { s: startTime },
  );
  return { status: 200, body: { ...page, value: page.value.map(threadItemModel) } };
};

const getThread: Handler = async (ctx, st) => {
  const { thread } = await beginThread(ctx, st);
  return { status: 200, body: threadModel(thread) };
};

const updateThread: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  requireLevel(call, ['chat']);
  const body = objectBody(ctx);
  const topic = optionalString(body, 'topic');
  const metadata = patchMetadata(body);
  const retentionPolicy = patchRetentionPolicy(body);
  const t = call.thread;
  if (topic !== undefined && topic.trim() === '') throw badRequest("'topic' must not be empty.", 'InvalidRequestBody');
  if (metadata === null) delete t.metadata;
  else if (metadata !== undefined) t.metadata = metadata;
  if (retentionPolicy !== undefined) t.retentionPolicy = retentionPolicy;
  if (topic !== undefined && topic !== t.topic) {
    t.topic = topic;
    st.store.appendMessage(t, { type: 'topicUpdated', topic, initiatorId: call.caller.userId }, call.now);
  }
  st.store.changed();
  st.events.threadUpdated(t, call.caller.userId, call.now);
  return { status: 204 };
};

const deleteThread: Handler = async (ctx, st) => {
  const call = await beginThread(ctx, st);
  requireLevel(call, ['chat']);
  st.store.deleteThread(call.thread, call.now);
  st.events.threadDeleted(call.thread, call.caller.userId, call.now);
  return { status: 204 };
};

export const threadHandlers: Record<string, Handler> = {
  'chat.createThread': createThread,
  'chat.listThreads': listThreads,
  'chat.getThread': getThread,
  'chat.updateThread': updateThread,
  'chat.deleteThread': deleteThread,
};
