import path from 'node:path';

import { AZURE_REQUIRED_SETTINGS } from '../../src/config';
import { formatFinding } from './finding';
import { lintInfra } from './lint-infra';

/**
 * `npm run lint:infra [-- <infra dir>]`: checks the Bicep under infra/ (or the
 * given folder) without the Bicep compiler. Prints one line per finding and
 * exits 1 if there are any.
 */
async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..');
  const infraDir = path.resolve(process.argv[2] ?? path.join(repoRoot, 'infra'));
  const findings = await lintInfra({ infraDir, requiredAppSettings: AZURE_REQUIRED_SETTINGS });
  for (const finding of findings) console.log(formatFinding(finding));
  if (findings.length > 0) {
    console.error(`lint:infra: ${findings.length} finding(s) in ${path.relative(process.cwd(), infraDir) || '.'}`);
    process.exitCode = 1;
    return;
  }
  console.log(`lint:infra: ${path.relative(process.cwd(), infraDir) || '.'} is clean`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
