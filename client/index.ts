import createFetchClient, { type Client } from 'openapi-fetch';

import type { components, paths } from './api-types';

/**
 * A typed client of the chat API: openapi-fetch over the generated `paths`, plus what every caller needs and
 * should not hand-write: the bearer token, bounded retries of 429/503 after their Retry-After, an Idempotency-Key
 * on every POST (reused by its retries) and continuation-token paging as an async iterator.
 */

export type Schemas = components['schemas'];
export type Thread = Schemas['Thread'];
export type ThreadSummary = Schemas['ThreadSummary'];
export type Message = Schemas['Message'];
export type Participant = Schemas['Participant'];
export type ReadReceipt = Schemas['ReadReceipt'];
export type ApiErrorBody = Schemas['Error'];
export type { components, paths };

export interface ChatClientOptions {
  /** The API root, e.g. `http://127.0.0.1:7071/api`. */
  baseUrl: string;
  /** The caller's bearer token (asked for before every request, so it may be refreshed). */
  token: () => string | Promise<string>;
  /** Retries of a 429 or 503 answer (default 3); after that the answer is returned. */
  maxRetries?: number;
  /** A Retry-After longer than this is not waited for: the 429/503 is returned at once (default 30 s). */
  maxRetryDelayMs?: number;
  fetch?: (request: Request) => Promise<Response>;
  sleep?: (ms: number) => Promise<void>;
}

export interface ChatClient {
  /** Typed calls: `api.GET('/threads/{threadId}', { params: { path: { threadId } } })`. */
  api: Client<paths>;
}

const RETRYABLE = new Set([429, 503]);
const FIRST_BACKOFF_MS = 500;

export function createChatClient(options: ChatClientOptions): ChatClient {
  const api = createFetchClient<paths>({ baseUrl: options.baseUrl, fetch: retrying(options) });
  api.use({
    async onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${await options.token()}`);
      if (request.method === 'POST' && !request.headers.has('Idempotency-Key'))
        request.headers.set('Idempotency-Key', crypto.randomUUID());
      return request;
    },
  });
  return { api };
}

/** Sends a request, and again (a clone, same headers and body) after each 429/503 while retries and patience last. */
function retrying(options: ChatClientOptions): (request: Request) => Promise<Response> {
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxRetries = options.maxRetries ?? 3;
  const maxDelayMs = options.maxRetryDelayMs ?? 30_000;
  return async (request) => {
    for (let attempt = 0; ; attempt += 1) {
      const response = await send(request.clone());
      if (!RETRYABLE.has(response.status) || attempt >= maxRetries) return response;
      const delayMs = retryAfterMs(response.headers) ?? FIRST_BACKOFF_MS * 2 ** attempt;
      if (delayMs > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(delayMs);
    }
  };
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('Retry-After')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An error answer of the API, with its stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(body?.error.message ?? `The API answered ${status}`);
    this.name = 'ApiError';
  }

  get code(): string | undefined {
    return this.body?.error.code;
  }
}

interface FetchResult<Data> {
  data?: Data;
  error?: unknown;
  response: Response;
}

/** The data of a successful call; an ApiError otherwise. */
export function unwrap<Data>(result: FetchResult<Data>): Data {
  if (result.response.ok) return result.data as Data;
  throw new ApiError(
    result.response.status,
    result.error as ApiErrorBody | undefined,
    retryAfterMs(result.response.headers),
  );
}

interface Page<Item> {
  items: Item[];
  continuationToken?: string;
}

/**
 * Every page of a listing, following continuation tokens, e.g.
 * `pages((continuationToken) => api.GET('/threads', { params: { query: { continuationToken } } }))`.
 */
export async function* pages<Item>(
  fetchPage: (continuationToken: string | undefined) => Promise<FetchResult<Page<Item>>>,
): AsyncGenerator<Item[], void, undefined> {
  let continuationToken: string | undefined;
  do {
    const page = unwrap(await fetchPage(continuationToken));
    yield page.items;
    continuationToken = page.continuationToken;
  } while (continuationToken);
}
