import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { formatFinding } from '../../../scripts/lint-infra/finding';
import { lintInfra } from '../../../scripts/lint-infra/lint-infra';
import { AZURE_REQUIRED_SETTINGS } from '../../../src/config';

const run = promisify(execFile);

export const REAL_INFRA_DIR = path.resolve(__dirname, '..', '..', '..', 'infra');
export const REAL_RUNBOOK = path.resolve(REAL_INFRA_DIR, '..', 'docs', 'operations.md');
export const REAL_HOST_JSON = path.resolve(REAL_INFRA_DIR, '..', 'host.json');

/** A throw-away copy of infra/ that a test may break. */
export interface InfraCopy {
  dir: string;
  /** Replaces `search` in `relativePath`; fails if the text is not there, so a test cannot silently stop testing. */
  replace(relativePath: string, search: string | RegExp, replacement: string): Promise<void>;
  append(relativePath: string, text: string): Promise<void>;
  remove(): Promise<void>;
}

export async function copyInfra(): Promise<InfraCopy> {
  const root = await mkdtemp(path.join(tmpdir(), 'lint-infra-'));
  const dir = path.join(root, 'infra');
  await cp(REAL_INFRA_DIR, dir, { recursive: true });
  // The runbook lint:infra matches alert rules against: docs/operations.md next to infra/, as in the repository.
  await cp(REAL_RUNBOOK, path.join(root, 'docs', 'operations.md'));
  // host.json, whose telemetryMode lint:infra checks: next to infra/, as in the repository.
  await cp(REAL_HOST_JSON, path.join(root, 'host.json'));
  return {
    dir,
    async replace(relativePath, search, replacement) {
      const file = path.join(dir, relativePath);
      const before = await readFile(file, 'utf8');
      const found = typeof search === 'string' ? before.includes(search) : search.test(before);
      if (!found) throw new Error(`${relativePath} no longer contains ${String(search)}; update the test`);
      await writeFile(file, before.replace(search, replacement));
    },
    async append(relativePath, text) {
      const file = path.join(dir, relativePath);
      await writeFile(file, (await readFile(file, 'utf8')) + text);
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** A fresh copy for each test of the enclosing `describe`: `const copy = useInfraCopy();`, then `copy().dir`. */
export function useInfraCopy(): () => InfraCopy {
  let current: InfraCopy | undefined;
  beforeEach(async () => {
    current = await copyInfra();
  });
  afterEach(async () => {
    await current?.remove();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useInfraCopy: the copy exists only while a test runs');
    return current;
  };
}

/** lint:infra's findings on a copy, one `infra/<file>:<line> [<check>] <message>` string each, in the lint's order. */
export async function lintFindings(
  infraDir: string,
  requiredAppSettings: readonly string[] = AZURE_REQUIRED_SETTINGS,
): Promise<string[]> {
  const findings = await lintInfra({ infraDir, requiredAppSettings, displayBase: path.dirname(infraDir) });
  return findings.map((finding) => formatFinding(finding).replace(/^([^:]+:\d+): /, '$1 '));
}

/**
 * A fresh copy for each test and the lint's findings on it (`findings()`, or `findings(required)` with other settings
 * taken as AZURE_REQUIRED_SETTINGS): `const { copy, findings } = useLintedInfraCopy();`.
 */
export function useLintedInfraCopy(): {
  copy: () => InfraCopy;
  findings: (requiredAppSettings?: readonly string[]) => Promise<string[]>;
} {
  const copy = useInfraCopy();
  return { copy, findings: (requiredAppSettings) => lintFindings(copy().dir, requiredAppSettings) };
}

/**
 * AZURE_REQUIRED_SETTINGS with `settings` added, and with them taken out: a check that leaves a missing required
 * setting to the app-settings check is tested both ways, whether or not src/config.ts lists the settings yet.
 */
export function requiredSettingsWithAndWithout(settings: readonly string[]): {
  requiring: string[];
  notRequiring: string[];
} {
  const required: readonly string[] = AZURE_REQUIRED_SETTINGS;
  return {
    requiring: [...new Set([...required, ...settings])],
    notRequiring: required.filter((setting) => !settings.includes(setting)),
  };
}

/** `npm run lint:infra -- <dir>` in a child process; resolves with its exit code and what it printed. */
export function runLintInfraCli(dir: string): Promise<{ code: number; stdout: string }> {
  const repoRoot = path.resolve(REAL_INFRA_DIR, '..');
  return run(process.execPath, ['--import', 'tsx', 'scripts/lint-infra/index.ts', dir], { cwd: repoRoot }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
  );
}
