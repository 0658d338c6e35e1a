import { readFileSync } from 'node:fs';
import path from 'node:path';

import { DETAIL_CODES, ERROR_CODES } from '../../src/error-codes';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## Failures'));

describe('error code catalogue', () => {
  it('the README lists every code with its status, and no code the catalogue lacks', () => {
    const listed = [...section.matchAll(/^\| `(\w+)` +\| (?:(\d{3}) +\| )?/gm)].map((match) => match.slice(1, 3));
    const expected = [
      ...Object.entries(ERROR_CODES).map(([code, { status }]) => [code, String(status)]),
      ...Object.keys(DETAIL_CODES).map((code) => [code, undefined]),
    ];
    expect(listed).toEqual(expected);
  });

  it('uses each status class sensibly: client errors 4xx, dependency failures 5xx', () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      expect([code, status >= 400 && status < 600]).toEqual([code, true]);
    }
    expect(ERROR_CODES.TooManyRequests.status).toBe(429);
    expect(ERROR_CODES.ServiceUnavailable.status).toBe(503);
  });
});
