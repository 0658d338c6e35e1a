import type { DevTokenClaims } from '../../dev/issuer';
import { call, type TestResponse } from './http';
import type { TestStack } from './stack';

/** A signed-in user of the API, for readable tests. */
export interface ApiUser {
  userId: string;
  token: string;
  request<Body = unknown>(
    method: string,
    path: string,
    json?: unknown,
    headers?: Record<string, string>,
  ): Promise<TestResponse<Body>>;
}

export async function signIn(stack: TestStack, userId: string, claims: DevTokenClaims = {}): Promise<ApiUser> {
  const token = await stack.token(userId, claims);
  return {
    userId,
    token,
    request: (method, path, json, headers) =>
      call(`${stack.apiBaseUrl}${path}`, {
        method,
        token,
        ...(json !== undefined ? { json } : {}),
        ...(headers ? { headers } : {}),
      }),
  };
}

export const threadPath = (threadId: string, rest = ''): string => `/threads/${encodeURIComponent(threadId)}${rest}`;
