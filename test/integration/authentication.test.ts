import { createPublicKey } from 'node:crypto';

import { generateKeyPair, SignJWT } from 'jose';

import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

describe('caller authentication (jose against the dev issuer, over real HTTP)', () => {
  let stack: TestStack;
  let claims: () => { iss: string; aud: string; sub: string; iat: number; exp: number };

  beforeAll(async () => {
    stack = await startTestStack();
    claims = () => ({
      iss: stack.issuer.issuer,
      aud: stack.issuer.audience,
      sub: 'mallory',
      iat: now(),
      exp: now() + 600,
    });
  });
  afterAll(() => stack.close());

  const rejected: Array<[string, () => Promise<string | undefined>]> = [
    ['a missing header', async () => undefined],
    ['a malformed header', async () => 'Token abc.def.ghi'],
    ['a bearer that is not a JWT', async () => 'Bearer not-a-jwt'],
    [
      'an expired token (beyond the 60 s skew)',
      async () => `Bearer ${await stack.issuer.signClaims({ ...claims(), exp: now() - 120 })}`,
    ],
    ['a token not yet valid', async () => `Bearer ${await stack.issuer.signClaims({ ...claims(), nbf: now() + 300 })}`],
    [
      'a wrong issuer',
      async () => `Bearer ${await stack.issuer.signClaims({ ...claims(), iss: 'https://evil.example.com' })}`,
    ],
    [
      'a wrong audience',
      async () => `Bearer ${await stack.issuer.signClaims({ ...claims(), aud: 'api://someone-else' })}`,
    ],
    [
      'a bad signature',
      async () => {
        const [header, payload] = (await stack.issuer.signClaims(claims())).split('.');
        const other = (await stack.issuer.signClaims({ ...claims(), sub: 'other' })).split('.')[2];
        return `Bearer ${header}.${payload}.${other}`;
      },
    ],
    ['alg none', async () => `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`],
    [
      'HS256 signed with the public key as secret',
      async () => {
        const jwks = (await (await fetch(`${stack.issuer.jwksUri}`)).json()) as { keys: Array<Record<string, string>> };
        const publicPem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }).export({
          type: 'spki',
          format: 'pem',
        });
        const token = await new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: stack.issuer.kid })
          .sign(Buffer.from(publicPem));
        return `Bearer ${token}`;
      },
    ],
    [
      'an unknown kid',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return `Bearer ${await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'not-our-key' }).sign(privateKey)}`;
      },
    ],
    [
      'a foreign key that claims our kid',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return `Bearer ${await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: stack.issuer.kid }).sign(privateKey)}`;
      },
    ],
    [
      'a missing sub',
      async () => {
        const { sub: _sub, ...withoutSub } = claims();
        return `Bearer ${await stack.issuer.signClaims(withoutSub)}`;
      },
    ],
    [
      'a missing exp',
      async () => {
        const { exp: _exp, ...withoutExp } = claims();
        return `Bearer ${await stack.issuer.signClaims(withoutExp)}`;
      },
    ],
  ];

  it.each(rejected)('rejects %s with 401, WWW-Authenticate and the error body', async (_label, header) => {
    const authorization = await header();
    for (const [method, path] of [
      ['POST', '/token'],
      ['DELETE', '/token'],
    ] as const) {
      const res = await call<{ error: { code: string; message: string; requestId: string } }>(
        `${stack.apiBaseUrl}${path}`,
        {
          method,
          headers: authorization ? { authorization } : {},
        },
      );
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(res.body.error).toEqual({
        code: 'Unauthenticated',
        message: expect.any(String),
        requestId: expect.any(String),
      });
    }
  });

  it('accepts a valid token, within the allowed clock skew', async () => {
    const slightlyExpired = await stack.issuer.signClaims({ ...claims(), sub: 'skewed', exp: now() - 20 });
    expect((await call(`${stack.apiBaseUrl}/token`, { method: 'POST', token: slightlyExpired })).status).toBe(200);
    expect(
      (await call(`${stack.apiBaseUrl}/token`, { method: 'POST', token: await stack.token('valid-user') })).status,
    ).toBe(200);
  });

  it('leaves health anonymous', async () => {
    const res = await call<{ status: string }>(`${stack.apiBaseUrl}/health`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });
});
