import { timingSafeEqual } from 'node:crypto';

import { CONTROL_KEY_HEADER } from '../common/control-call';
import type { EmulatorState, RequestContext } from './context';
import { forbidden, hmacDenied, unauthorized } from './errors';
import { verifyHmac } from './hmac';

export { CONTROL_KEY_HEADER } from '../common/control-call';

/** Access-key (HMAC) auth for Identity and the control API, bearer user-token auth for Chat. */

export function requireHmac(ctx: RequestContext, st: EmulatorState): void {
  const reason = verifyHmac(
    { method: ctx.method, target: ctx.target, headers: ctx.headers, body: ctx.body },
    st.accessKey,
  );
  if (reason) throw hmacDenied(reason);
}

export function requireControlAuth(ctx: RequestContext, st: EmulatorState): void {
  const key = ctx.headers[CONTROL_KEY_HEADER];
  if (typeof key === 'string') {
    const a = Buffer.from(key);
    const b = Buffer.from(st.accessKey);
    if (a.length === b.length && timingSafeEqual(a, b)) return;
    throw hmacDenied('Wrong emulator key.');
  }
  requireHmac(ctx, st);
}

/** What a chat token may do, from its acsScope claim. */
export type ChatLevel = 'chat' | 'chat.join' | 'chat.join.limited';

export interface ChatCaller {
  userId: string;
  level: ChatLevel;
}

export async function requireChatCaller(ctx: RequestContext, st: EmulatorState): Promise<ChatCaller> {
  const h = ctx.headers.authorization;
  if (!h || !/^bearer /i.test(h)) throw unauthorized('The request is missing a bearer access token.');
  const token = await st.tokens.verify(h.slice(7).trim());
  if (!token) throw unauthorized('The access token is invalid.', 'InvalidAuthenticationToken');
  const now = st.clock.now();
  if (token.exp * 1000 <= now) throw unauthorized('The access token has expired.', 'ExpiredAuthenticationToken');
  const identity = st.store.identities.get(token.userId);
  if (!identity || identity.deletedOn !== undefined)
    throw unauthorized('The identity of the access token does not exist.', 'IdentityNotFound');
  if (identity.revokedBeforeSec !== undefined && token.iat < identity.revokedBeforeSec) {
    throw unauthorized('The access token has been revoked.', 'InvalidAuthenticationToken');
  }
  const level: ChatLevel | undefined = token.scopes.has('chat')
    ? 'chat'
    : token.scopes.has('chat.join')
      ? 'chat.join'
      : token.scopes.has('chat.join.limited')
        ? 'chat.join.limited'
        : undefined;
  if (!level) throw forbidden('The access token does not have a chat scope.');
  return { userId: token.userId, level };
}
