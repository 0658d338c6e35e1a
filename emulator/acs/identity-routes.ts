import { requireHmac } from './auth';
import type { EmulatorState, Handler, RequestContext } from './context';
import { ApiError, badRequest, notFound, unauthorized } from './errors';
import { IDENTITY_API_VERSIONS, objectBody, requireApiVersion } from './request';
import type { IdentityRecord } from './store';
import { TOKEN_SCOPES } from './tokens';

/** Identity data plane: users, tokens, revocation. All calls are HMAC-signed with the access key. */

const SCOPES = new Set<string>(TOKEN_SCOPES);
const DEFAULT_MINUTES = 1440;

function begin(ctx: RequestContext, st: EmulatorState): void {
  requireHmac(ctx, st);
  requireApiVersion(ctx, IDENTITY_API_VERSIONS);
  st.rateLimiter.check(ctx.operation, st.clock.now());
}

function scopesOf(v: unknown, key: string): string[] {
  if (!Array.isArray(v) || v.length === 0)
    throw badRequest('Invalid scopes - Scopes field is required.', 'ValidationError', key);
  for (const s of v) {
    if (typeof s !== 'string' || !SCOPES.has(s)) {
      throw badRequest(`Invalid scope '${String(s)}'. Allowed scopes: ${TOKEN_SCOPES.join(', ')}.`, 'ValidationError');
    }
  }
  return v as string[];
}

function minutesOf(v: unknown): number {
  if (v === undefined || v === null) return DEFAULT_MINUTES;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 60 || v > 1440) {
    throw badRequest('The expiresInMinutes value must be an integer between 60 and 1440.', 'ValidationError');
  }
  return v;
}

/** The path's identity id; an identity of another resource (or not an ACS user id at all) is 401, as ACS answers. */
function ownedIdOf(ctx: RequestContext, st: EmulatorState): string {
  const id = ctx.params[0] ?? '';
  if (!id.startsWith(`8:acs:${st.resourceId}_`)) {
    throw unauthorized("Provided identity doesn't belong to the resource.", 'IdentityNotOwned');
  }
  return id;
}

function identityOf(ctx: RequestContext, st: EmulatorState): IdentityRecord {
  const id = ownedIdOf(ctx, st);
  const rec = st.store.liveIdentity(id);
  if (!rec) throw notFound(`Identity '${id}' was not found.`);
  return rec;
}

async function token(
  st: EmulatorState,
  rec: IdentityRecord,
  scopes: string[],
  minutes: number,
): Promise<{ token: string; expiresOn: string }> {
  const iat = Math.max(Math.floor(st.clock.now() / 1000), rec.revokedBeforeSec ?? 0);
  const t = await st.tokens.issue(rec.id, scopes, minutes, iat);
  return { token: t.token, expiresOn: t.expiresOn.toISOString() };
}

const createUser: Handler = async (ctx, st) => {
  begin(ctx, st);
  const body = objectBody(ctx, false);
  const wantToken = body.createTokenWithScopes !== undefined && body.createTokenWithScopes !== null;
  const scopes = wantToken ? scopesOf(body.createTokenWithScopes, 'createTokenWithScopes') : [];
  const minutes = minutesOf(body.expiresInMinutes);
  const rec = st.store.createIdentity(st.clock.now());
  const result: { identity: { id: string }; accessToken?: { token: string; expiresOn: string } } = {
    identity: { id: rec.id },
  };
  if (wantToken) result.accessToken = await token(st, rec, scopes, minutes);
  return { status: 201, body: result };
};

const issueToken: Handler = async (ctx, st) => {
  begin(ctx, st);
  const body = objectBody(ctx);
  const scopes = scopesOf(body.scopes, 'scopes');
  const minutes = minutesOf(body.expiresInMinutes);
  return { status: 200, body: await token(st, identityOf(ctx, st), scopes, minutes) };
};

const revokeTokens: Handler = (ctx, st) => {
  begin(ctx, st);
  const rec = identityOf(ctx, st);
  rec.revokedBeforeSec = Math.floor(st.clock.now() / 1000) + 1;
  st.store.changed();
  return { status: 204 };
};

const deleteUser: Handler = (ctx, st) => {
  begin(ctx, st);
  const id = ownedIdOf(ctx, st);
  const rec = st.store.identities.get(id);
  if (!rec) throw notFound(`Identity '${id}' was not found.`);
  if (rec.deletedOn === undefined) {
    rec.deletedOn = st.clock.now();
    st.store.changed();
  }
  return { status: 204 };
};

const exchangeTeamsToken: Handler = (ctx, st) => {
  begin(ctx, st);
  throw new ApiError(400, 'NotSupported', 'Exchanging a Teams user token is not supported by the ACS emulator.');
};

export const identityHandlers: Record<string, Handler> = {
  'identity.createUser': createUser,
  'identity.issueToken': issueToken,
  'identity.revokeTokens': revokeTokens,
  'identity.deleteUser': deleteUser,
  'identity.exchangeTeamsToken': exchangeTeamsToken,
};
