import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import {
  contentHash,
  EMPTY_BODY_HASH,
  pathAndQuery,
  sign,
  signRequest,
  stringToSign,
  verifyHmac,
} from '../../../emulator/acs/hmac';
import { SPEC_DIR } from '../../integration/emulator/contract';

interface Capture {
  sdk: string;
  method: string;
  target: string;
  headers?: Record<string, string>;
  body: string;
  stringToSign?: string;
  hmacCheck?: string;
}

const KEY = 'ZW11bGF0b3Itc2VjcmV0LWtleS0wMTIzNDU2Nzg5'; // the key used for wire-capture.jsonl
const captures = readFileSync(resolve(SPEC_DIR, 'wire-capture.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Capture)
  .filter((c) => c.stringToSign !== undefined && c.headers);

describe('HMAC-SHA256 as the SDK signs it (wire-capture.jsonl)', () => {
  it('has identity captures to check', () => {
    expect(captures.length).toBeGreaterThanOrEqual(5);
  });

  it.each(captures.map((c, i) => [i, c] as const))(
    'capture %i: string-to-sign and signature verdict match',
    (_i, c) => {
      const h = c.headers as Record<string, string>;
      expect(stringToSign(c.method, c.target, h['x-ms-date'] as string, h.host as string, contentHash(c.body))).toBe(
        c.stringToSign,
      );
      // The captures are from the past, so check the signature at the capture's own time.
      const verdict = verifyHmac(
        { method: c.method, target: c.target, headers: h, body: Buffer.from(c.body) },
        KEY,
        Date.parse(h['x-ms-date'] as string),
      );
      expect(verdict === undefined ? 'match' : 'mismatch').toBe(c.hmacCheck === 'match' ? 'match' : 'mismatch');
    },
  );

  it('hashes the empty body like the SDK', () => {
    expect(contentHash('')).toBe(EMPTY_BODY_HASH);
  });

  it('normalizes the request target with URLSearchParams', () => {
    expect(pathAndQuery('/identities/8%3Aacs%3Ax/:issueAccessToken?api-version=2023-10-01')).toBe(
      '/identities/8%3Aacs%3Ax/:issueAccessToken?api-version=2023-10-01',
    );
    expect(pathAndQuery('/chat/threads?startTime=2024-01-02T03:04:05.000Z')).toBe(
      '/chat/threads?startTime=2024-01-02T03%3A04%3A05.000Z',
    );
  });

  it('round-trips signRequest/verifyHmac and rejects clock skew over 15 minutes', () => {
    const url = new URL('https://127.0.0.1:9/identities?api-version=2023-10-01');
    const headers = { ...signRequest(KEY, 'POST', url, '{}'), host: url.host };
    const req = { method: 'POST', target: '/identities?api-version=2023-10-01', headers, body: Buffer.from('{}') };
    expect(verifyHmac(req, KEY)).toBeUndefined();
    expect(verifyHmac(req, KEY, Date.now() + 16 * 60_000)).toMatch(/15 minutes/);
    expect(verifyHmac({ ...req, method: 'DELETE' }, KEY)).toMatch(/Signature/);
    expect(sign(KEY, 'x')).not.toBe(sign(Buffer.from('other').toString('base64'), 'x'));
  });
});
