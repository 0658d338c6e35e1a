import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import type { TableServiceClientOptions } from '@azure/data-tables';
import type { AppConfig } from './config';
import { HealthService } from './health';
import { createTableClients, ensureTables, type TableClients } from './storage/table-clients';

/**
 * The composition root: builds every client and service once per process from validated configuration.
 * Tests and the dev host call it with their own endpoints and client options.
 */
export interface CompositionOptions {
  /** Extra Azure SDK options for the Tables clients (tests add counting policies here). */
  tablesClientOptions?: TableServiceClientOptions;
}

export interface Services {
  config: AppConfig;
  tables: TableClients;
  health: HealthService;
}

export type ServicesProvider = () => Promise<Services>;

export async function createServices(config: AppConfig, options: CompositionOptions = {}): Promise<Services> {
  const credential = memoize(
    (): TokenCredential =>
      new DefaultAzureCredential(config.acs.kind === 'managedIdentity' && config.acs.clientId ? { managedIdentityClientId: config.acs.clientId } : {}),
  );
  const tables = createTableClients(config.tables, credential, options.tablesClientOptions);
  await ensureTables(tables);
  const health = new HealthService({
    storage: async () => {
      await tables.identities.listEntities({ queryOptions: { select: ['PartitionKey'] } }).byPage({ maxPageSize: 1 }).next();
    },
  });
  return { config, tables, health };
}

/** Builds the services on first use and shares them; a failed build is retried on the next call. */
export function lazyServices(build: () => Promise<Services>): ServicesProvider {
  let pending: Promise<Services> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

function memoize<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}
