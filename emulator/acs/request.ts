import type { RequestContext } from './context';
import { badRequest } from './errors';

/** Small request-parsing helpers shared by the route files. */

export const CHAT_API_VERSIONS = new Set(['2025-03-15', '2021-09-07']);
export const IDENTITY_API_VERSIONS = new Set(['2023-10-01', '2022-10-01']);

export function requireApiVersion(ctx: RequestContext, supported: ReadonlySet<string>): string {
  const v = ctx.query.get('api-version');
  if (!v)
    throw badRequest(
      'The api-version query parameter (?api-version=) is required for all requests.',
      'MissingApiVersionParameter',
    );
  if (!supported.has(v)) {
    throw badRequest(
      `The api-version '${v}' is not supported. Supported versions: ${[...supported].join(', ')}.`,
      'UnsupportedApiVersion',
    );
  }
  return v;
}

/** Parses a JSON body; an empty body gives undefined. */
export function jsonBody(ctx: RequestContext): unknown {
  if (ctx.body.length === 0) return undefined;
  try {
    return JSON.parse(ctx.body.toString('utf8')) as unknown;
  } catch {
    throw badRequest('The request body is not valid JSON.', 'InvalidRequestBody');
  }
}

export function objectBody(ctx: RequestContext, required = true): Record<string, unknown> {
  const b = jsonBody(ctx);
  if (b === undefined && !required) return {};
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw badRequest('The request body must be a JSON object.', 'InvalidRequestBody');
  return b as Record<string, unknown>;
}

export function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`'${key}' must be a string.`, 'InvalidRequestBody');
  return v;
}

export const METADATA_MAX_BYTES = 1024;

/** `Record<string,string>` of at most 1 KB (keys plus values), as the service documents. */
export function optionalMetadata(o: Record<string, unknown>, key = 'metadata'): Record<string, string> | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw badRequest(`'${key}' must be an object of strings.`, 'InvalidRequestBody');
  let size = 0;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') throw badRequest(`'${key}.${k}' must be a string.`, 'InvalidRequestBody');
    size += Buffer.byteLength(k) + Buffer.byteLength(val);
    out[k] = val;
  }
  if (size > METADATA_MAX_BYTES) throw badRequest(`'${key}' exceeds the maximum size of 1 KB.`, 'InvalidRequestBody');
  return out;
}

/**
 * Metadata in a merge patch (RFC 7396): absent leaves it, `null` removes it (returned as null), an object replaces it.
 * ACS does not document `null` here; this is the merge-patch reading (see README).
 */
export function patchMetadata(o: Record<string, unknown>, key = 'metadata'): Record<string, string> | null | undefined {
  return o[key] === null ? null : optionalMetadata(o, key);
}

export function optionalDate(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw badRequest(`'${key}' must be an RFC 3339 date-time.`, 'InvalidRequestBody');
  return t;
}
