import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import type { CommonClientOptions } from '@azure/core-client';
import type { TableServiceClientOptions } from '@azure/data-tables';
import type { AppConfig } from './config';
import { HealthService } from './health';
import { createAuthenticator, type Authenticator } from './http/authenticate';
import { ActingTokens } from './identity/acting-tokens';
import { acsEndpoint, createIdentityClient } from './identity/acs-clients';
import { IdentityService } from './identity/identity-service';
import { fromUpstream } from './upstream-errors';
import { IdentityRepository } from './storage/identity-repository';
import { createTableClients, ensureTables, type TableClients } from './storage/table-clients';

/**
 * The composition root: builds every client and service once per process from validated configuration.
 * Tests and the dev host call it with their own endpoints and client options.
 */
export interface CompositionOptions {
  /** Extra Azure SDK options for the Tables clients (tests add counting policies here). */
  tablesClientOptions?: TableServiceClientOptions;
  /** Extra Azure SDK options for the ACS clients (e.g. `tlsOptions.ca` for a local emulator, shorter retries in tests). */
  acsClientOptions?: CommonClientOptions;
}

export interface Services {
  config: AppConfig;
  tables: TableClients;
  health: HealthService;
  authenticate: Authenticator;
  identity: IdentityService;
  actingTokens: ActingTokens;
  acsEndpoint: string;
  acsClientOptions: CommonClientOptions;
}

export type ServicesProvider = () => Promise<Services>;

export async function createServices(config: AppConfig, options: CompositionOptions = {}): Promise<Services> {
  const credential = memoize((): TokenCredential => {
    const clientId = config.acs.kind === 'managedIdentity' ? config.acs.clientId : undefined;
    return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  });
  const acsClientOptions = options.acsClientOptions ?? {};
  const tables = createTableClients(config.tables, credential, options.tablesClientOptions);
  await ensureTables(tables).catch((error: unknown) => {
    throw fromUpstream(error);
  });

  const identityClient = createIdentityClient(config.acs, credential, acsClientOptions);
  const actingTokens = new ActingTokens(identityClient);
  const identity = new IdentityService(new IdentityRepository(tables.identities), identityClient, actingTokens);

  const health = new HealthService({
    storage: async () => {
      await tables.identities.listEntities({ queryOptions: { select: ['PartitionKey'] } }).byPage({ maxPageSize: 1 }).next();
    },
  });
  return {
    config,
    tables,
    health,
    authenticate: createAuthenticator(config.auth),
    identity,
    actingTokens,
    acsEndpoint: acsEndpoint(config.acs),
    acsClientOptions,
  };
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
