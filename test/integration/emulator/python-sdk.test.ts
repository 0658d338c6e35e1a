import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { useEmulator } from './helpers';

/**
 * Fidelity beyond the JS SDKs: Microsoft's Python SDKs (Debian's python3-azure: azure-communication-identity 1.3,
 * azure-communication-chat 1.2, api-versions 2022-10-01 and 2021-09-07) drive the emulator through identities, tokens,
 * a thread, a message, a read receipt, a refused create, deletion and revocation (test/.../python/acs_clients.py).
 * Every response they get is also checked against the swagger files, as for the JS SDKs.
 */

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'python', 'acs_clients.py');

function pythonSdkAvailable(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import azure.communication.chat, azure.communication.identity'], {
    stdio: 'ignore',
  });
  return probe.status === 0;
}

// In CI (.ci/run installs python3-azure) a missing SDK is a failure; elsewhere the test says it skipped.
const available = pythonSdkAvailable();
const describeWithPython = available || process.env.CI === 'true' ? describe : describe.skip;
if (!available && process.env.CI !== 'true')
  console.info('Python SDK test skipped: apt-get install -y python3-azure to run it');

interface PythonRun {
  aliceId: string;
  bobId: string;
  tokenExpiresOn: string;
  threadId: string;
  createdBy: string;
  errors: string[];
  messageId: string;
  messages: Array<{ id: string; content: string; sender: string; name: string }>;
  participants: string[];
  topic: string;
  receipts: string[];
  bobCreate: number;
  afterDelete: number;
  afterRevoke: number;
}

describeWithPython('the ACS emulator through Microsoft’s Python SDKs', () => {
  const env = useEmulator();

  it('creates users and tokens, chats, and refuses what ACS refuses', async () => {
    const { emu } = env();
    // Asynchronously: the emulator answers in this process, so it must not be blocked while Python runs.
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, emu.connectionString], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, REQUESTS_CA_BUNDLE: emu.caCertPath },
    });
    const run = JSON.parse(stdout) as PythonRun;
    const ownId = new RegExp(`^8:acs:${emu.resourceId}_[0-9a-f-]{36}$`);
    expect(run.aliceId).toMatch(ownId);
    expect(run.bobId).toMatch(ownId);
    expect(Date.parse(run.tokenExpiresOn)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(run.threadId).toMatch(/^19:acsV1_[a-z2-7]+@thread\.v2$/);
    expect([run.createdBy, run.errors]).toEqual([run.aliceId, []]);
    expect(run.messages).toEqual([
      { id: run.messageId, content: 'hello from python', sender: run.aliceId, name: 'Alice' },
    ]);
    expect(run.participants).toEqual([run.aliceId, run.bobId].sort());
    expect(run.topic).toBe('Renamed');
    expect(run.receipts).toEqual([run.messageId]);
    // chat.join.limited may not create threads; a deleted thread is gone; revoked tokens are refused.
    expect([run.bobCreate, run.afterDelete, run.afterRevoke]).toEqual([403, 404, 401]);
    expect(emu.control.getThread(run.threadId)?.deleted).toBe(true);
  });
});
