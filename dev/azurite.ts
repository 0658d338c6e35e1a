import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Azurite's Table and Blob services, embedded in this process (no child process to leak), on loopback.
 * Telemetry stays off: Azurite only starts it from its CLI entry points, which we do not use.
 */

// Azurite ships no type declarations for its internal modules; these are the parts we call.
interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}
type ServerConstructor = new (configuration: unknown) => AzuriteServer;
type ConfigurationConstructor = new (...args: unknown[]) => unknown;

/** One of Azurite's internal modules (no types, no exports map), loaded only when a stack starts. */
function azuriteModule<Module>(name: string): Module {
  // Azurite's telemetry module requires applicationinsights, which on load patches console and the Azure SDK's tracing
  // in this whole process (every log line and SDK call of the stack then goes through it; the largest per-request
  // cost in a profile of the dev stack under load). Telemetry is off anyway, so nothing needs the patches.
  process.env.APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL ??= 'true';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(`azurite/dist/src/${name}`) as Module;
}

function quietAzuriteLogs(): void {
  azuriteModule<{ configLogger(enable: boolean, file?: string): void }>('common/Logger').configLogger(false);
}

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
  const TableServer = azuriteModule<{ default: ServerConstructor }>('table/TableServer').default;
  const TableConfiguration = azuriteModule<{ default: ConfigurationConstructor }>('table/TableConfiguration').default;
  quietAzuriteLogs();

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

export interface AzuriteBlobOptions extends AzuriteOptions {
  /**
   * PEM files of a certificate for 127.0.0.1. Azurite accepts bearer tokens (OAuth), and so hands out user
   * delegation keys, only over HTTPS.
   */
  tls: { certPath: string; keyPath: string };
}

export interface RunningAzuriteBlob {
  /** `https://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  /** Shared key access, for the dev stack's own set-up (CORS, the container) and tests; the app uses OAuth. */
  connectionString: string;
  close(): Promise<void>;
}

/**
 * Azurite's Blob service over HTTPS with its basic OAuth: bearer tokens are checked for issuer, audience and expiry
 * (not signature), so the backend's user delegation code path runs here as in Azure.
 */
export async function startAzuriteBlob(options: AzuriteBlobOptions): Promise<RunningAzuriteBlob> {
  const BlobServer = azuriteModule<{ default: ServerConstructor }>('blob/BlobServer').default;
  const BlobConfiguration = azuriteModule<{ default: ConfigurationConstructor }>('blob/BlobConfiguration').default;
  quietAzuriteLogs();

  const inMemory = options.location === undefined;
  if (options.location) await fs.mkdir(options.location, { recursive: true });
  const at = (file: string): string => (options.location ? path.join(options.location, file) : file);
  const configuration = new BlobConfiguration(
    '127.0.0.1',
    options.port ?? 0,
    undefined, // keep-alive timeout: default
    at('__azurite_db_blob__.json'),
    at('__azurite_db_blob_extent__.json'),
    [{ locationId: 'Default', locationPath: at('__blobstorage__'), maxConcurrency: 10 }],
    false, // access log
    undefined,
    false, // debug log
    undefined,
    false, // loose
    // @azure/storage-blob 12.32 speaks service version 2026-04-06; this Azurite (the last for Node 20) knows up to
    // 2025-11-05 and refuses newer ones unless told not to. Every call the app makes exists in both.
    true, // skipApiVersionCheck
    options.tls.certPath,
    options.tls.keyPath,
    '',
    'basic', // oauth
    false, // disableProductStyleUrl
    inMemory,
  );
  const server = new BlobServer(configuration);
  await server.start();
  const address = server.getHttpServerAddress().replace('localhost', '127.0.0.1');
  const blobEndpoint = `${address}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=https;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`,
    close: () => server.close(),
  };
}
