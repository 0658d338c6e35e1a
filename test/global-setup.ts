import { type RunningAzurite, startAzuriteTables } from '../dev/azurite';
import { type LocalBlob, startLocalBlob } from '../dev/local-blob';

declare global {
  // Shared between global set-up and tear-down, which jest runs in the same process.
  var __AZURITE__: RunningAzurite | undefined;
  var __AZURITE_BLOB__: LocalBlob | undefined;
}

/**
 * Starts one in-memory Azurite (Tables, and Blob over HTTPS) on free loopback ports for every integration test; each
 * test file uses its own table prefix and attachments container.
 */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzuriteTables();
  globalThis.__AZURITE__ = azurite;
  process.env.TEST_TABLES_CONNECTION_STRING = azurite.connectionString;
  const blob = await startLocalBlob({});
  globalThis.__AZURITE_BLOB__ = blob;
  process.env.TEST_BLOB = JSON.stringify({
    blobEndpoint: blob.blobEndpoint,
    connectionString: blob.connectionString,
    caCertPath: blob.caCertPath,
  });
}
