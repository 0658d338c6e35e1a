import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 request signing exactly as communication-common's access-key policy does it:
 * stringToSign = VERB \n pathAndQuery \n date;host;contentHash, key = base64-decoded access key.
 */

export const EMPTY_BODY_HASH = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export function contentHash(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64');
}

/** `pathname?searchParams` normalized with URL/URLSearchParams like the client does. */
export function pathAndQuery(requestTarget: string): string {
  const u = new URL(requestTarget, 'https://x');
  const q = u.searchParams.toString();
  return u.pathname + (q ? `?${q}` : '');
}

export function stringToSign(method: string, requestTarget: string, date: string, host: string, hash: string): string {
  return `${method.toUpperCase()}\n${pathAndQuery(requestTarget)}\n${date};${host};${hash}`;
}

export function sign(accessKeyBase64: string, toSign: string): string {
  return createHmac('sha256', Buffer.from(accessKeyBase64, 'base64')).update(toSign, 'utf8').digest('base64');
}

/** Headers a client must send for a signed request (used by the control client and tests). */
export function signRequest(
  accessKeyBase64: string,
  method: string,
  url: URL,
  body: string | Buffer = '',
  date: Date = new Date(),
): Record<string, string> {
  const hash = contentHash(body);
  const d = date.toUTCString();
  const target = url.pathname + url.search;
  const signature = sign(accessKeyBase64, stringToSign(method, target, d, url.host, hash));
  return {
    'x-ms-date': d,
    'x-ms-content-sha256': hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

export interface SignedRequest {
  method: string;
  target: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Returns undefined when the request is correctly signed, otherwise the reason it is not. */
export function verifyHmac(
  req: SignedRequest,
  accessKeyBase64: string,
  nowMs: number = Date.now(),
): string | undefined {
  const auth = header(req, 'authorization');
  if (!auth) return 'Missing Authorization header.';
  const m = /^HMAC-SHA256\s+SignedHeaders=([^&]+)&Signature=(.+)$/i.exec(auth.trim());
  if (!m) return 'Authorization header is not HMAC-SHA256.';
  const signedHeaders = (m[1] ?? '').toLowerCase().split(';');
  if (signedHeaders.join(';') !== 'x-ms-date;host;x-ms-content-sha256') return 'Unexpected SignedHeaders.';
  const date = header(req, 'x-ms-date') ?? header(req, 'date');
  if (!date) return 'Missing x-ms-date header.';
  const host = header(req, 'host');
  if (!host) return 'Missing Host header.';
  const claimedHash = header(req, 'x-ms-content-sha256');
  if (!claimedHash) return 'Missing x-ms-content-sha256 header.';
  const dateMs = Date.parse(date);
  if (!Number.isFinite(dateMs)) return 'Invalid x-ms-date header.';
  if (Math.abs(nowMs - dateMs) > MAX_CLOCK_SKEW_MS) return 'Request date is more than 15 minutes off.';
  const actualHash = req.body.length === 0 ? EMPTY_BODY_HASH : contentHash(req.body);
  if (!safeEqual(actualHash, claimedHash)) return 'Content hash does not match the body.';
  const expected = sign(accessKeyBase64, stringToSign(req.method, req.target, date, host, claimedHash));
  if (!safeEqual(expected, m[2] ?? '')) return 'Signature mismatch.';
  return undefined;
}
