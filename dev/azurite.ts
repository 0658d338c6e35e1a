import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Azurite's Table service, embedded in this process (no child process to leak), on loopback.
 * Telemetry stays off: Azurite only starts it from its CLI entry points, which we do not use.
 */

// Azurite ships no type declarations for its internal modules; these are the parts we call.
interface AzuriteTableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}
type TableServerConstructor = new (configuration: unknown) => AzuriteTableServer;
type TableConfigurationConstructor = new (...args: unknown[]) => unknown;

/** Azurite's documented, public development account (not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for persisted data; in memory when omitted. */
  location?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface RunningAzurite {
  tableEndpoint: string;
  connectionString: string;
  close(): Promise<void>;
}

export async function startAzuriteTables(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  // Azurite's telemetry module requires applicationinsights, which on load patches console and the Azure SDK's tracing
  // in this whole process (every log line and SDK call of the stack then goes through it; the largest per-request
  // cost in a profile of the dev stack under load). Telemetry is off anyway, so nothing needs the patches.
  process.env.APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL ??= 'true';
  // Azurite's internal modules have no types or exports map; they are loaded only when a stack starts.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const TableServer = (require('azurite/dist/src/table/TableServer') as { default: TableServerConstructor }).default;
  const TableConfiguration = (
    require('azurite/dist/src/table/TableConfiguration') as { default: TableConfigurationConstructor }
  ).default;
  const Logger = require('azurite/dist/src/common/Logger') as { configLogger(enable: boolean, file?: string): void };
  /* eslint-enable @typescript-eslint/no-require-imports */
  Logger.configLogger(false);

  const inMemory = options.location === undefined;
  if (options.location) await fs.mkdir(options.location, { recursive: true });
  const dbPath = options.location
    ? path.join(options.location, '__azurite_db_table__.json')
    : '__azurite_db_table__.json';
  const configuration = new TableConfiguration(
    '127.0.0.1',
    options.port ?? 0,
    undefined, // keep-alive timeout: default
    dbPath,
    false, // debug log
    false, // access log
    undefined,
    undefined,
    false, // loose
    false, // skipApiVersionCheck
    '',
    '',
    '',
    undefined, // oauth
    false, // disableProductStyleUrl
    inMemory,
  );
  const server = new TableServer(configuration);
  await server.start();
  const address = server.getHttpServerAddress().replace('localhost', '127.0.0.1');
  const tableEndpoint = `${address}/${AZURITE_ACCOUNT}`;
  return {
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${tableEndpoint};`,
    close: () => server.close(),
  };
}
