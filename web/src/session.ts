import { type ChatClient, createChatClient } from '../../client';

/** Who is signed in in this tab (sessionStorage: each tab or browser context can be someone else). */
export interface Session {
  userId: string;
  displayName: string;
  token: string;
}

const KEY = 'acs-chat-dev-session';

export function currentSession(): Session | undefined {
  const stored = sessionStorage.getItem(KEY);
  return stored ? (JSON.parse(stored) as Session) : undefined;
}

/**
 * Dev-only sign-in: the dev stack's issuer mints a token for any user name (`POST /dev-sign-in`), with the backend's
 * admin role when `admin` is set and an `email` claim when an address is given (email notifications go there).
 */
export async function signIn(
  userId: string,
  displayName: string,
  options: { admin?: boolean; email?: string } = {},
): Promise<Session> {
  const { admin, email } = options;
  const response = await fetch('/dev-sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      userId,
      ...(displayName ? { displayName } : {}),
      ...(admin ? { admin } : {}),
      ...(email ? { email } : {}),
    }),
  });
  const body = (await response.json()) as Session | { error: string };
  if (!response.ok || 'error' in body)
    throw new Error('error' in body ? body.error : `Sign-in failed (${response.status})`);
  sessionStorage.setItem(KEY, JSON.stringify(body));
  return body;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

export function clientFor(session: Session): ChatClient {
  return createChatClient({ baseUrl: `${location.origin}/api`, token: () => session.token });
}
