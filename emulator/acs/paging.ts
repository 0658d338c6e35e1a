import { badRequest } from './errors';

/**
 * `nextLink` paging as the real service does it: an absolute https link carrying an opaque `syncState`
 * plus `maxPageSize` and `api-version`, because the SDK follows it without adding any parameter.
 */

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 100;

export type PageState = Record<string, string | number>;

export function encodeState(state: PageState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeState(s: string): PageState {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as PageState;
  } catch {
    // fall through
  }
  throw badRequest('The syncState continuation token is invalid.', 'InvalidContinuationToken');
}

export function parseMaxPageSize(q: URLSearchParams, max = MAX_PAGE_SIZE, def = DEFAULT_PAGE_SIZE): number {
  const raw = q.get('maxPageSize');
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw badRequest(`The maxPageSize parameter must be an integer between 1 and ${max}.`, 'InvalidParameter');
  }
  return n;
}

export function parseSkip(q: URLSearchParams): number {
  const raw = q.get('skip');
  if (raw === null || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw badRequest('The skip parameter must be a non-negative integer.', 'InvalidParameter');
  return n;
}

export function parseStartTime(q: URLSearchParams): number | undefined {
  const raw = q.get('startTime');
  if (raw === null || raw === '') return undefined;
  const t = Date.parse(raw);
  if (!Number.isFinite(t))
    throw badRequest('The startTime parameter must be an RFC 3339 date-time.', 'InvalidParameter');
  return t;
}

/** Reads the page request: either the first request's query, or the syncState of a nextLink. */
export function pageRequest(q: URLSearchParams): { state: PageState | undefined; maxPageSize: number } {
  const sync = q.get('syncState');
  return { state: sync ? decodeState(sync) : undefined, maxPageSize: parseMaxPageSize(q) };
}

export function nextLink(
  baseUrl: string,
  path: string,
  state: PageState,
  maxPageSize: number,
  apiVersion: string,
): string {
  const q = new URLSearchParams({
    syncState: encodeState(state),
    maxPageSize: String(maxPageSize),
    'api-version': apiVersion,
  });
  return `${baseUrl}${path}?${q.toString()}`;
}

export interface PageLink {
  baseUrl: string;
  path: string;
  apiVersion: string;
}

/** Offset paging over an in-memory list (threads, participants, read receipts). `extra` rides along in syncState. */
export function offsetPage<T>(
  items: readonly T[],
  q: URLSearchParams,
  state: PageState | undefined,
  maxPageSize: number,
  link: PageLink,
  extra: PageState = {},
): { value: T[]; nextLink?: string } {
  const start = state ? Number(state.o ?? 0) : parseSkip(q);
  const value = items.slice(start, start + maxPageSize);
  const end = start + value.length;
  if (end >= items.length) return { value };
  return { value, nextLink: nextLink(link.baseUrl, link.path, { ...extra, o: end }, maxPageSize, link.apiVersion) };
}
