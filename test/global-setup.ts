import { type RunningAzurite, startAzuriteTables } from '../dev/azurite';

declare global {
  // Shared between global set-up and tear-down, which jest runs in the same process.
  var __AZURITE__: RunningAzurite | undefined;
}

/**
 * Starts one in-memory Azurite on a free loopback port for every integration test; each test file uses its own table
 * prefix.
 */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzuriteTables();
  globalThis.__AZURITE__ = azurite;
  process.env.TEST_TABLES_CONNECTION_STRING = azurite.connectionString;
}
