#!/usr/bin/env node
// The project's one test command (`npm test`): type-check, lint (ESLint + Prettier), lint the infrastructure,
// run every jest test, and end with a plain summary line `N passed, N failed` (each check counts as one test).
// Every step runs on the Node.js that runs this script, so `.ci/run` can run the whole suite on Node 20 and 22.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(path.join(root, 'package.json'));
const resultsFile = path.join(root, '.jest-results.json');
let passed = 0;
let failed = 0;

/** The JavaScript file behind a package's command, run with this process's own node. */
function cli(pkg, bin = pkg) {
  const manifest = require(`${pkg}/package.json`);
  const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin];
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), relative);
}

function step(label, args) {
  console.log(`\n> ${label}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
  return result.status === 0;
}

console.log(`Node.js ${process.version}`);
for (const [label, args] of [
  ['typecheck', [cli('typescript', 'tsc'), '-p', 'tsconfig.json', '--noEmit']],
  ['typecheck web', [cli('typescript', 'tsc'), '-p', 'web/tsconfig.json']],
  ['lint', [cli('eslint'), '--max-warnings=0', '.']],
  ['format', [cli('prettier'), '--check', '--log-level=warn', '.']],
  ['lint:infra', ['--import', 'tsx', 'scripts/lint-infra/index.ts']],
]) {
  if (step(label, args)) passed += 1;
  else failed += 1;
}

// The browser test (test/browser) needs a Chromium (same search as test/helpers/chromium.ts); in CI it must run.
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (candidate) => candidate && existsSync(candidate),
);
if (!chromium && process.env.CI === 'true') {
  console.log('\nbrowser test FAILED: no Chromium found and CI=true requires it (apt-get install -y chromium)');
  failed += 1;
} else if (!chromium) {
  console.log('\nbrowser test skipped: no Chromium found (install: apt-get install -y chromium, or set CHROMIUM_PATH)');
}

rmSync(resultsFile, { force: true });
step('jest', [cli('jest'), '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)]);
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed += results.numPassedTests;
  // A suite that fails to load has no failed tests of its own; count it so it cannot pass unnoticed.
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
} catch {
  failed += 1;
  console.error('jest produced no results');
}
rmSync(resultsFile, { force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
