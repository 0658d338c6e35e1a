import { checkApiResponse } from './api-description';

/** Fetch wrapper for tests: JSON in, status + headers + parsed JSON out; `/api` answers must match the description. */
export interface TestResponse<Body = unknown> {
  status: number;
  headers: Headers;
  body: Body;
  text: string;
}

export async function call<Body = unknown>(
  url: string,
  init: {
    method?: string;
    token?: string;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
    /** `manual`: a redirect is returned as is (its Location read), not followed. */
    redirect?: 'follow' | 'manual';
  } = {},
): Promise<TestResponse<Body>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    redirect: init.redirect ?? 'follow',
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  await checkApiResponse(url, init.method ?? 'GET', response.status, text);
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed as Body, text };
}
