import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

import { createAuthenticator } from '../../src/http/authenticate';

/**
 * Key rotation at the identity provider: a token signed with a key the backend has not seen yet (unknown `kid`)
 * makes it refetch the JWKS once, and then verify. A real HTTP JWKS endpoint on loopback, no mocks.
 */
describe('JWKS caching and rotation', () => {
  let server: http.Server;
  let issuer: string;
  let published: JWK[] = [];
  let jwksFetches = 0;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/.well-known/openid-configuration') {
        response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
      } else if (request.url === '/keys') {
        jwksFetches += 1;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: published }));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function key(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
  }
  const authenticator = () =>
    createAuthenticator(
      { issuer, audiences: ['api://app'], adminRole: 'Chat.Admin', rolesClaim: 'roles' },
      { jwksCooldownMs: 0 },
    );
  const sign = (signer: Awaited<ReturnType<typeof key>>, sub: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: signer.kid })
      .setIssuer(issuer)
      .setAudience('api://app')
      .setSubject(sub)
      .setExpirationTime('5m')
      .sign(signer.privateKey);

  it('uses cached keys, refetches once on an unknown kid, and accepts the rotated key', async () => {
    const first = await key('k1');
    const second = await key('k2');
    published = [first.jwk];
    const authenticate = authenticator();

    const tokenA = await sign(first, 'a');
    expect((await authenticate(`Bearer ${tokenA}`)).userId).toBe('a');
    // The same token again (a client repeats it until it expires): accepted without another JWKS fetch.
    expect((await authenticate(`Bearer ${tokenA}`)).userId).toBe('a');
    expect((await authenticate(`Bearer ${await sign(first, 'b')}`)).userId).toBe('b');
    expect(jwksFetches).toBe(1);

    // The provider rotates: k2 is published next to k1.
    published = [first.jwk, second.jwk];
    expect((await authenticate(`Bearer ${await sign(second, 'c')}`)).userId).toBe('c');
    expect(jwksFetches).toBe(2);

    // k1 is retired: tokens signed with it are refused once the keys are refetched.
    published = [second.jwk];
    const stranger = await key('k3');
    await expect(authenticate(`Bearer ${await sign(stranger, 'd')}`)).rejects.toMatchObject({
      code: 'Unauthenticated',
    });
    await expect(authenticate(`Bearer ${await sign(first, 'e')}`)).rejects.toMatchObject({ code: 'Unauthenticated' });
    // So is a k1 token that was accepted before the rotation.
    await expect(authenticate(`Bearer ${tokenA}`)).rejects.toMatchObject({ code: 'Unauthenticated' });
  });

  it('refuses a token it accepted before once the token has expired (and the clock tolerance has passed)', async () => {
    const signer = await key('k-expiry');
    published = [signer.jwk];
    const authenticate = authenticator();
    const token = await sign(signer, 'f');
    expect((await authenticate(`Bearer ${token}`)).userId).toBe('f');
    // Only Date moves: the JWKS server and jose's fetch keep real timers.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval'] });
    try {
      jest.setSystemTime(Date.now() + 5 * 60_000 + 30_000); // past exp (5 min), within the 60 s tolerance
      expect((await authenticate(`Bearer ${token}`)).userId).toBe('f');
      jest.setSystemTime(Date.now() + 31_000); // past exp plus tolerance
      await expect(authenticate(`Bearer ${token}`)).rejects.toMatchObject({
        code: 'Unauthenticated',
        message: 'The token has expired.',
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers 503, not 401, when the identity provider cannot be reached', async () => {
    const authenticate = createAuthenticator({
      issuer: 'http://127.0.0.1:9',
      audiences: ['x'],
      adminRole: 'a',
      rolesClaim: 'roles',
    });
    const signer = await key('k');
    await expect(authenticate(`Bearer ${await sign(signer, 'x')}`)).rejects.toMatchObject({
      code: 'ServiceUnavailable',
    });
  });
});
