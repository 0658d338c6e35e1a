import { type ChatCaller, requireChatCaller } from './auth';
import type { EmulatorState, RequestContext } from './context';
import { badRequest, forbidden, notFound } from './errors';
import { rawIdOf } from './identifiers';
import { offsetPage, pageRequest } from './paging';
import { CHAT_API_VERSIONS, optionalDate, optionalMetadata, optionalString, requireApiVersion } from './request';
import type { ParticipantRecord, RetentionPolicy, Store, ThreadRecord } from './store';

/** Pieces shared by the chat route files: auth + thread membership, participant and policy parsing. */

export const MAX_PARTICIPANTS_PER_THREAD = 250;
export const MAX_PARTICIPANTS_PER_REQUEST = 200;

export interface ChatCall {
  caller: ChatCaller;
  apiVersion: string;
  now: number;
}

export interface ThreadCall extends ChatCall {
  thread: ThreadRecord;
  /** The caller's participant record in the thread. */
  me: ParticipantRecord;
}

export async function beginChat(ctx: RequestContext, st: EmulatorState): Promise<ChatCall> {
  const caller = await requireChatCaller(ctx, st);
  const apiVersion = requireApiVersion(ctx, CHAT_API_VERSIONS);
  return { caller, apiVersion, now: st.clock.now() };
}

/** Auth, then the thread (404 when missing or deleted), then membership (403), then throttling. */
export async function beginThread(ctx: RequestContext, st: EmulatorState): Promise<ThreadCall> {
  const call = await beginChat(ctx, st);
  const id = ctx.params[0] ?? '';
  const thread = st.store.liveThread(id, call.now);
  if (!thread) throw notFound(`Chat thread '${id}' was not found.`);
  const me = thread.participants.get(call.caller.userId);
  if (!me) throw forbidden('The caller is not a participant of the chat thread.');
  st.rateLimiter.check(ctx.operation, call.now, call.caller.userId, thread.id);
  return { ...call, thread, me };
}

export function requireLevel(call: ChatCall, allowed: readonly ChatCaller['level'][]): void {
  if (!allowed.includes(call.caller.level)) forbiddenScope();
}

function forbiddenScope(): never {
  throw forbidden('The access token scope does not permit this operation.');
}

export function retentionPolicyOf(o: Record<string, unknown>): RetentionPolicy | undefined {
  const v = o.retentionPolicy;
  if (v === undefined || v === null) return undefined;
  const rp = v as { kind?: unknown; deleteThreadAfterDays?: unknown };
  if (rp.kind === 'none') return { kind: 'none' };
  if (rp.kind === 'threadCreationDate') {
    const d = rp.deleteThreadAfterDays;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 30 || d > 90) {
      throw badRequest('deleteThreadAfterDays must be an integer between 30 and 90.', 'InvalidRequestBody');
    }
    return { kind: 'threadCreationDate', deleteThreadAfterDays: d };
  }
  throw badRequest(`Unsupported retention policy kind '${String(rp.kind)}'.`, 'InvalidRequestBody');
}

/** In the update (a merge patch) `null` removes the policy: the thread then has none, as ACS reports it. */
export function patchRetentionPolicy(o: Record<string, unknown>): RetentionPolicy | undefined {
  return o.retentionPolicy === null ? { kind: 'none' } : retentionPolicyOf(o);
}

export interface ParsedParticipants {
  valid: ParticipantRecord[];
  invalid: { target: string; code: string; message: string }[];
}

/** Parses `ChatParticipant[]`; identities that are not live users of this resource become invalidParticipants. */
export function parseParticipants(store: Store, v: unknown, required: boolean): ParsedParticipants {
  if (v === undefined || v === null) {
    if (required) throw badRequest("'participants' is required.", 'InvalidRequestBody');
    return { valid: [], invalid: [] };
  }
  if (!Array.isArray(v)) throw badRequest("'participants' must be an array.", 'InvalidRequestBody');
  if (required && v.length === 0) throw badRequest("'participants' must not be empty.", 'InvalidRequestBody');
  if (v.length > MAX_PARTICIPANTS_PER_REQUEST) {
    throw badRequest(
      `At most ${MAX_PARTICIPANTS_PER_REQUEST} participants can be given in one request.`,
      'TooManyParticipants',
    );
  }
  const out: ParsedParticipants = { valid: [], invalid: [] };
  const seen = new Set<string>();
  for (const item of v) {
    if (typeof item !== 'object' || item === null)
      throw badRequest('Each participant must be an object.', 'InvalidRequestBody');
    const o = item as Record<string, unknown>;
    const id = rawIdOf(o.communicationIdentifier);
    if (id === undefined) throw badRequest('Each participant needs a communicationIdentifier.', 'InvalidRequestBody');
    if (!store.liveIdentity(id)) {
      out.invalid.push({ target: id, code: '403', message: 'Permissions check failed' });
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    const p: ParticipantRecord = { id, shareHistoryTime: optionalDate(o, 'shareHistoryTime') ?? 0 };
    const displayName = optionalString(o, 'displayName');
    if (displayName !== undefined) p.displayName = displayName;
    const metadata = optionalMetadata(o);
    if (metadata !== undefined) p.metadata = metadata;
    out.valid.push(p);
  }
  return out;
}

export function locationHeader(baseUrl: string, path: string): Record<string, string> {
  return { location: `${baseUrl}${path}` };
}

/** One offset page of a per-thread list (participants, read receipts); nextLink points at `segment`. */
export function threadPage<T>(
  ctx: RequestContext,
  call: ThreadCall,
  items: readonly T[],
  segment: string,
): { value: T[]; nextLink?: string } {
  const { state, maxPageSize } = pageRequest(ctx.query);
  const path = `/chat/threads/${encodeURIComponent(call.thread.id)}/${segment}`;
  return offsetPage(items, ctx.query, state, maxPageSize, { baseUrl: ctx.baseUrl, path, apiVersion: call.apiVersion });
}
