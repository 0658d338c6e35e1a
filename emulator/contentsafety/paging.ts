import type { RequestContext } from '../acs/context';
import { badRequest } from '../acs/errors';

/**
 * Azure Core paging of a list with `top`, `skip` and `maxpagesize`: `skip` items are skipped, at most `top` are
 * returned in all, `maxpagesize` per page; `nextLink` is absolute and carries every parameter, as the SDK's
 * `paginate` follows it as is. Without `maxpagesize` a page holds 100 items (the contract gives no default).
 */

export const DEFAULT_PAGE_SIZE = 100;

function intParam(q: URLSearchParams, name: string, min: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > 2 ** 31 - 1)
    throw badRequest(`The ${name} parameter must be an integer of at least ${min}.`, 'InvalidParameter');
  return n;
}

export function page<T>(
  items: readonly T[],
  ctx: RequestContext,
  path: string,
  apiVersion: string,
): { value: T[]; nextLink?: string } {
  const top = intParam(ctx.query, 'top', 0);
  const skip = intParam(ctx.query, 'skip', 0) ?? 0;
  const size = intParam(ctx.query, 'maxpagesize', 1) ?? DEFAULT_PAGE_SIZE;
  const end = Math.min(items.length, top === undefined ? Infinity : skip + top);
  const value = items.slice(skip, Math.min(end, skip + size));
  const next = skip + value.length;
  if (next >= end) return { value };
  const q = new URLSearchParams({ 'api-version': apiVersion, skip: String(next), maxpagesize: String(size) });
  if (top !== undefined) q.set('top', String(top - value.length));
  return { value, nextLink: `${ctx.baseUrl}${path}?${q.toString()}` };
}
