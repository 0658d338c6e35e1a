import { startAzuriteTables } from '../dev/azurite';
import { startWebPubSubEmulator } from '../emulator/webpubsub';
import { startCountingProxy } from './counting-proxy';
import type { LiveServiceCounts, LiveServicesMessage, LiveServicesRequest } from './live-services';

/**
 * The child process of live-services.ts: Azurite's Table service behind a counting proxy, and the Web PubSub
 * emulator. Answers `counts` and `reset` over IPC; exits when its parent goes.
 */

/** `GET Inbox`, `PUT Identities`, `POST $batch`: the method and the table (or `Tables`, `$batch`) of a Tables call. */
function tablesOperation(method: string, path: string): string {
  const table = decodeURIComponent(path.split('/')[2] ?? '').replace(/\(.*$/, '');
  return `${method} ${table}`;
}

async function main(): Promise<void> {
  const azurite = await startAzuriteTables();
  const tables = await startCountingProxy(new URL(azurite.tableEndpoint).origin, tablesOperation);
  const webPubSub = await startWebPubSubEmulator();
  const counts = (): LiveServiceCounts => ({
    tables: tables.counts(),
    webPubSubRest: webPubSub.control.restCallCounts(),
    webPubSubDelivered: webPubSub.control.messagesDelivered(),
  });
  const send = (message: LiveServicesMessage): void => void process.send?.(message);
  process.on('message', (request: LiveServicesRequest) => {
    if (request.op === 'reset') {
      tables.reset();
      webPubSub.control.resetCounts();
    }
    send({ id: request.id, counts: counts() });
  });
  process.once('disconnect', () => {
    void Promise.allSettled([webPubSub.close(), tables.close(), azurite.close()]).then(() => process.exit(0));
  });
  send({
    ready: {
      tablesConnectionString: azurite.connectionString.replace(new URL(azurite.tableEndpoint).origin, tables.origin),
      webPubSubConnectionString: webPubSub.connectionString,
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
