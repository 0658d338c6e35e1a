import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

describe('client/api-types.ts', () => {
  it('is what `npm run client:generate` makes of the current route table (run it after changing the API)', () => {
    // openapi-typescript loads ESM-only modules, so the generator runs in a node process (regenerating in memory).
    const check = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/client/generate.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(check.stdout.trim()).toBe('client/api-types.ts is in step with the API description');
    expect(check.status).toBe(0);
  });
});
