import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

describe('the dev stack serves the web app and its dev-only sign-in', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  const signIn = (json: unknown, headers: Record<string, string> = {}) =>
    call<{ token?: string; error?: string }>(`${stack.host.origin}/dev-sign-in`, { method: 'POST', json, headers });

  it('serves the page with a policy that allows no inline or foreign script, and the bundle', async () => {
    const page = await call(stack.host.origin);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/app.js">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
    // Sockets may go to Web PubSub (the emulator here) and nowhere else.
    const socketOrigin = new URL(stack.webPubSub!.endpoint).origin.replace(/^http/, 'ws');
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ${socketOrigin}`);
    const bundle = await call(`${stack.host.origin}/app.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('mints a token the API accepts for the page, and refuses other sites and bad names', async () => {
    const signedIn = await signIn({ userId: 'mount-alice', displayName: 'Alice' }, { origin: stack.host.origin });
    expect(signedIn.status).toBe(200);
    const threads = await call(`${stack.apiBaseUrl}/threads`, { token: signedIn.body.token! });
    expect(threads.status).toBe(200);

    expect((await signIn({ userId: 'mount-alice' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await signIn({ userId: 'has space' })).status).toBe(400);
    expect((await signIn({ userId: 'x', roles: ['Chat.Admin'] })).status).toBe(400);
  });

  it("mints an admin token (the backend's admin role) only when asked", async () => {
    const reports = async (token: string) =>
      call<{ error?: { code: string } }>(`${stack.apiBaseUrl}/moderation/reports`, { token });
    const admin = await signIn({ userId: 'mount-admin', admin: true }, { origin: stack.host.origin });
    expect(admin.status).toBe(200);
    expect((await reports(admin.body.token!)).status).toBe(200);
    const plain = await signIn({ userId: 'mount-plain', admin: false }, { origin: stack.host.origin });
    const refused = await reports(plain.body.token!);
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'AdminRoleRequired']);
  });
});
