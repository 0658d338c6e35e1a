import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `npm run bench`: runs every bench/*.bench.ts in turn (each in its own tsx process) and prints a summary. */

const dir = __dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const tsxCli = require.resolve('tsx/cli');
const results: { file: string; ok: boolean; seconds: number }[] = [];

for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [tsxCli, join(dir, file)], { stdio: 'inherit' });
  results.push({ file, ok: r.status === 0, seconds: (Date.now() - t0) / 1000 });
}

console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.file} (${r.seconds.toFixed(1)} s)`);
if (results.some((r) => !r.ok)) process.exitCode = 1;
