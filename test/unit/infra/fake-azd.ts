import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A stand-in `azd` executable (a Node script with a shebang, found on PATH like the real one). It answers
 * `auth token` with FAKE_AZD_TOKEN (or fails as a signed-out azd does when FAKE_AZD_SIGNED_OUT is set) and
 * `env get-values --output json` with FAKE_AZD_ENV_VALUES, and appends each call's arguments and working directory to
 * FAKE_AZD_LOG.
 */
const FAKE_AZD_SOURCE = `
const { appendFileSync } = require('node:fs');
const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_AZD_LOG, JSON.stringify({ args, cwd: process.cwd() }) + '\\n');
if (args[0] === 'auth' && args[1] === 'token') {
  if (process.env.FAKE_AZD_SIGNED_OUT) {
    process.stderr.write('ERROR: fetching token: not logged in, run \`azd auth login\` to login\\n');
    process.exit(1);
  }
  const expiresOn = new Date(Date.now() + 3600000).toISOString();
  process.stdout.write(JSON.stringify({ token: process.env.FAKE_AZD_TOKEN, expiresOn }) + '\\n');
} else if (args[0] === 'env' && args[1] === 'get-values') {
  process.stdout.write(process.env.FAKE_AZD_ENV_VALUES ?? '{}');
} else {
  process.stderr.write('fake azd: unexpected arguments ' + args.join(' ') + '\\n');
  process.exit(2);
}
`;

export interface AzdCall {
  args: string[];
  cwd: string;
}

/** Writes the fake azd into `dir` (created if need be) and returns where its calls are logged. */
export async function installFakeAzd(dir: string): Promise<{ logFile: string; calls(): Promise<AzdCall[]> }> {
  await mkdir(dir, { recursive: true });
  const executable = path.join(dir, 'azd');
  await writeFile(executable, `#!${process.execPath}\n${FAKE_AZD_SOURCE}`);
  await chmod(executable, 0o755);
  const logFile = path.join(dir, 'azd-calls.jsonl');
  await writeFile(logFile, '');
  return {
    logFile,
    async calls() {
      const text = await readFile(logFile, 'utf8');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as AzdCall);
    },
  };
}
