import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { AZURE_REQUIRED_SETTINGS } from '../src/config';

/**
 * Loading a built entry point in a fresh Node process, as the Functions worker does (test/helpers/load-entry.cjs), for
 * the cold-start benchmarks: its settings as in Azure and what one load measured.
 */

export const projectRoot = path.resolve(__dirname, '..');
const loader = path.join(projectRoot, 'test', 'helpers', 'load-entry.cjs');

/** Every setting the app needs in Azure, pointing nowhere (nothing is called at start). */
export const AZURE_SETTINGS: Record<string, string> = {
  ...Object.fromEntries(AZURE_REQUIRED_SETTINGS.map((name) => [name, 'https://example.invalid/'])),
  EMAIL_SENDER: 'DoNotReply@example.invalid',
  // In Azure the platform sets WEBSITE_HOSTNAME, which the unsubscribe links of away emails are built from.
  WEBSITE_HOSTNAME: 'chat.example.invalid',
};

export interface EntryLoad {
  importMs: number;
  /** With --services: the composition chunk's load. With a function name: that function's first invocation. */
  servicesMs?: number;
  invokeMs?: number;
  /** After the import, or after the services load or the invocation when there is one. */
  rssBytes: number;
  functions: unknown[];
  response?: { status?: number };
  /** What the process wrote to stderr (a warning such as `telemetry not started: ...`). */
  stderr: string;
}

/** One load of `entry` with exactly `settings` (and PATH), `extra` passed to load-entry.cjs (a function name). */
export function loadEntry(entry: string, extra: string[] = [], settings = AZURE_SETTINGS): EntryLoad {
  const run = spawnSync(process.execPath, [loader, entry, ...extra], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...settings },
  });
  if (run.status !== 0) throw new Error(`loading ${entry} failed: ${run.stderr}`);
  return { ...(JSON.parse(run.stdout) as Omit<EntryLoad, 'stderr'>), stderr: run.stderr };
}
