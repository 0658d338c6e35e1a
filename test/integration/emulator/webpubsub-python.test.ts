import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

import { waitFor } from '../../helpers/wait';
import { HUB, useWebPubSubEmulator } from './webpubsub-helpers';

/** Microsoft's Python server SDK (Debian's python3-azure) against the emulator; skipped where it is not installed. */

const PYTHON = '/usr/bin/python3';
const pythonSdkPresent =
  spawnSync(PYTHON, ['-c', 'import azure.messaging.webpubsubservice'], { stdio: 'ignore' }).status === 0;

const SEND_TO_USER = `
import json, sys
from azure.messaging.webpubsubservice import WebPubSubServiceClient
connection_string, hub, user = sys.argv[1:4]
service = WebPubSubServiceClient.from_connection_string(connection_string, hub=hub)
service.send_to_user(user, {"from": "python"}, content_type="application/json")
print(json.dumps({"userExists": service.user_exists(user)}))
`;

const env = useWebPubSubEmulator();

(pythonSdkPresent ? describe : describe.skip)('Web PubSub emulator: azure-messaging-webpubsubservice (Python)', () => {
  test('send_to_user reaches the user and user_exists sees it', async () => {
    const { emu, connect } = env();
    const ivy = await connect('ivy');
    const other = await connect('jo');
    const { stdout } = await promisify(execFile)(PYTHON, ['-c', SEND_TO_USER, emu.connectionString, HUB, 'ivy'], {
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({ userExists: true });
    await waitFor(() => ivy.received.length === 1);
    expect(ivy.received).toEqual([{ from: 'server', data: { from: 'python' } }]);
    expect(other.received).toEqual([]);
    expect(emu.control.restCallCounts()).toMatchObject({ sendToUser: 1, userExists: 1 });
  });
});
