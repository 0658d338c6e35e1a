import { decodeJwt, decodeProtectedHeader } from 'jose';

import { signRequest } from '../../../emulator/acs/hmac';
import { raw, statusOf, useEmulator } from './helpers';

const env = useEmulator();

describe('Identity API through the official SDK', () => {
  it('creates a user without a token (201, 8:acs:<resource>_<guid>)', async () => {
    const { identity, emu } = env();
    const user = await identity.createUser();
    expect(user.communicationUserId).toMatch(new RegExp(`^8:acs:${emu.resourceId}_[0-9a-f-]{36}$`));
    expect(emu.control.listIdentities().map((i) => i.id)).toContain(user.communicationUserId);
  });

  it('creates a user with a token shaped like a real ACS token', async () => {
    const { identity, emu } = env();
    const before = Date.now();
    const { user, token, expiresOn } = await identity.createUserAndToken(['chat', 'voip']);
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toMatchObject({
      skypeid: user.communicationUserId.slice(2),
      scp: 1792,
      acsScope: 'chat,voip',
      resourceId: emu.resourceId,
    });
    expect(claims.csi).toBe(String(claims.iat));
    expect(typeof claims.resourceLocation).toBe('string');
    // default lifetime is 24 hours
    expect(expiresOn.getTime() - before).toBeGreaterThan(1439 * 60_000);
    expect(expiresOn.getTime()).toBe((claims.exp as number) * 1000);
  });

  it('issues a token with a custom lifetime and validates expiresInMinutes (60..1440)', async () => {
    const { identity } = env();
    const user = await identity.createUser();
    const t = await identity.getToken(user, ['chat.join.limited'], { tokenExpiresInMinutes: 60 });
    expect(t.expiresOn.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    expect(decodeJwt(t.token).acsScope).toBe('chat.join.limited');
    expect(await statusOf(identity.getToken(user, ['chat'], { tokenExpiresInMinutes: 59 }))).toBe(400);
    expect(await statusOf(identity.getToken(user, ['chat'], { tokenExpiresInMinutes: 1441 }))).toBe(400);
    expect(await statusOf(identity.createUserAndToken(['chat'], { tokenExpiresInMinutes: 30 }))).toBe(400);
  });

  it('rejects unknown scopes with 400', async () => {
    const { identity } = env();
    const user = await identity.createUser();
    // @ts-expect-error deliberately invalid scope
    const err = await identity.getToken(user, ['chat.admin']).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, code: 'ValidationError' });
  });

  it("rejects empty scopes with 400 and ACS's message, on getToken and createUserAndToken", async () => {
    const { identity } = env();
    const user = await identity.createUser();
    const expected = {
      statusCode: 400,
      code: 'ValidationError',
      message: 'Invalid scopes - Scopes field is required.',
    };
    expect(await identity.getToken(user, []).catch((e: unknown) => e)).toMatchObject({
      ...expected,
      details: { error: { target: 'scopes' } },
    });
    expect(await identity.createUserAndToken([]).catch((e: unknown) => e)).toMatchObject({
      ...expected,
      details: { error: { target: 'createTokenWithScopes' } },
    });
  });

  it('revokes tokens (204) and deletes users (204); unknown users of this resource give 404', async () => {
    const { identity, emu } = env();
    const user = await identity.createUser();
    await identity.revokeTokens(user);
    expect(
      emu.control.listIdentities().find((i) => i.id === user.communicationUserId)?.tokensRevokedBefore,
    ).toBeDefined();
    await identity.deleteUser(user);
    expect(emu.control.listIdentities().find((i) => i.id === user.communicationUserId)?.deleted).toBe(true);
    await identity.deleteUser(user);
    expect(await statusOf(identity.getToken(user, ['chat']))).toBe(404);
    expect(await statusOf(identity.revokeTokens(user))).toBe(404);
    const unknown = { communicationUserId: `8:acs:${emu.resourceId}_nope` };
    expect(await statusOf(identity.getToken(unknown, ['chat']))).toBe(404);
    expect(await statusOf(identity.revokeTokens(unknown))).toBe(404);
    expect(await statusOf(identity.deleteUser(unknown))).toBe(404);
  });

  it('answers 401 IdentityNotOwned for an identity of another resource (issue, revoke, delete)', async () => {
    const { identity, emu } = env();
    const other = '00000000-0000-0000-0000-000000000000';
    expect(other).not.toBe(emu.resourceId);
    const foreign = { communicationUserId: `8:acs:${other}_00000000-0000-0000-0000-000000000001` };
    const expected = {
      statusCode: 401,
      code: 'IdentityNotOwned',
      message: "Provided identity doesn't belong to the resource.",
    };
    expect(await identity.getToken(foreign, ['chat']).catch((e: unknown) => e)).toMatchObject(expected);
    expect(await identity.revokeTokens(foreign).catch((e: unknown) => e)).toMatchObject(expected);
    expect(await identity.deleteUser(foreign).catch((e: unknown) => e)).toMatchObject(expected);
  });

  it('answers the Teams token exchange with a clear 400 NotSupported', async () => {
    const { identity } = env();
    const err = await identity
      .getTokenForTeamsUser({ teamsUserAadToken: 'x', clientId: 'c', userObjectId: 'o' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, code: 'NotSupported' });
  });

  it('accepts api-version 2022-10-01 and rejects unknown versions', async () => {
    const { emu } = env();
    for (const [version, status] of [
      ['2022-10-01', 201],
      ['2023-10-01', 201],
      ['2099-01-01', 400],
    ] as const) {
      const url = new URL(`identities?api-version=${version}`, emu.endpoint);
      const res = await raw(emu, 'POST', url.pathname + url.search, signRequest(emu.accessKey, 'POST', url));
      expect(res.status).toBe(status);
    }
  });
});

describe('HMAC authentication', () => {
  const body = JSON.stringify({ createTokenWithScopes: ['chat'] });
  const target = (): URL => new URL('identities?api-version=2023-10-01', env().emu.endpoint);

  it('accepts a correctly signed raw request', async () => {
    const { emu } = env();
    const res = await raw(
      emu,
      'POST',
      target().pathname + target().search,
      { ...signRequest(emu.accessKey, 'POST', target(), body), 'content-type': 'application/json' },
      body,
    );
    expect(res.status).toBe(201);
  });

  it.each([
    ['a wrong key', (h: Record<string, string>) => h, Buffer.from('wrong-key-0123456789').toString('base64'), body],
    [
      'a tampered body',
      (h: Record<string, string>) => h,
      undefined,
      JSON.stringify({ createTokenWithScopes: ['voip'] }),
    ],
    ['no Authorization header', (h: Record<string, string>) => ({ ...h, authorization: '' }), undefined, body],
    ['no x-ms-date header', ({ 'x-ms-date': _d, ...h }: Record<string, string>) => h, undefined, body],
    [
      'no x-ms-content-sha256 header',
      ({ 'x-ms-content-sha256': _c, ...h }: Record<string, string>) => h,
      undefined,
      body,
    ],
  ])('refuses %s with 401', async (_name, mutate, key, sentBody) => {
    const { emu } = env();
    const headers = mutate(signRequest(key ?? emu.accessKey, 'POST', target(), body));
    const res = await raw(
      emu,
      'POST',
      target().pathname + target().search,
      { ...headers, 'content-type': 'application/json' },
      sentBody,
    );
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: 'Denied' } });
  });

  it('refuses a date more than 15 minutes off (both directions), accepts 14 minutes', async () => {
    const { emu } = env();
    for (const [offsetMin, status] of [
      [-16, 401],
      [16, 401],
      [-14, 201],
    ] as const) {
      const headers = signRequest(emu.accessKey, 'POST', target(), '', new Date(Date.now() + offsetMin * 60_000));
      const res = await raw(emu, 'POST', target().pathname + target().search, headers);
      expect(res.status).toBe(status);
    }
  });

  it('refuses a request whose signature was made for another path', async () => {
    const { emu } = env();
    const other = new URL('identities?api-version=2022-10-01', emu.endpoint);
    const res = await raw(emu, 'POST', target().pathname + target().search, signRequest(emu.accessKey, 'POST', other));
    expect(res.status).toBe(401);
  });

  it('the SDK with a wrong access key gets 401', async () => {
    const { emu, clientOptions } = env();
    const { CommunicationIdentityClient } = await import('@azure/communication-identity');
    const bad = new CommunicationIdentityClient(
      `endpoint=${emu.endpoint};accesskey=${Buffer.from('nope').toString('base64')}`,
      clientOptions,
    );
    expect(await statusOf(bad.createUser())).toBe(401);
  });
});
