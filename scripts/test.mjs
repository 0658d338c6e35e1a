#!/usr/bin/env node
// The project's one test command (`npm test`): type-check, lint the infrastructure, run every jest test,
// and end with a plain summary line `N passed, N failed` (each check counts as one test).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const resultsFile = path.join(root, '.jest-results.json');
let passed = 0;
let failed = 0;

function step(label, command, args) {
  console.log(`\n> ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  return result.status === 0;
}

for (const [label, command, args] of [
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['lint:infra', bin('tsx'), ['scripts/lint-infra/index.ts']],
]) {
  if (step(label, command, args)) passed += 1;
  else failed += 1;
}

rmSync(resultsFile, { force: true });
step('jest', bin('jest'), ['--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)]);
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
