import type { TokenCredential } from '@azure/core-auth';
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';

import type { AppConfig } from '../config';

/** The tables the backend keeps its records in, named with the configured prefix. */
export const TABLE_ROLES = [
  'identities',
  'threads',
  'activity',
  'settings',
  'usage',
  'requests',
  'inbox',
  'attachments',
  'moderation',
  'notifications',
  'erasures',
] as const;
export type TableRole = (typeof TABLE_ROLES)[number];

export type TableClients = Record<TableRole, TableClient>;

const TABLE_SUFFIX: Record<TableRole, string> = {
  identities: 'Identities',
  threads: 'Threads',
  activity: 'Activity',
  settings: 'Settings',
  usage: 'Usage',
  requests: 'Requests',
  inbox: 'Inbox',
  attachments: 'Attachments',
  moderation: 'Moderation',
  notifications: 'Notifications',
  erasures: 'Erasures',
};

export function tableName(config: AppConfig['tables'], role: TableRole): string {
  return `${config.tableNamePrefix}${TABLE_SUFFIX[role]}`;
}

export function createTableClients(
  config: AppConfig['tables'],
  credential: () => TokenCredential,
  options: TableServiceClientOptions = {},
): TableClients {
  const make = (role: TableRole): TableClient => {
    const name = tableName(config, role);
    if (config.kind === 'connectionString') {
      // Azurite speaks plain HTTP on loopback; the SDK refuses that unless told.
      const insecure = /(TableEndpoint=http:|UseDevelopmentStorage=true)/i.test(config.connectionString);
      return TableClient.fromConnectionString(config.connectionString, name, {
        ...options,
        allowInsecureConnection: insecure,
      });
    }
    return new TableClient(config.endpoint, name, credential(), options);
  };
  return Object.fromEntries(TABLE_ROLES.map((role) => [role, make(role)])) as TableClients;
}

/** Creates the tables if they are missing (idempotent: an existing table is not an error). */
export async function ensureTables(clients: TableClients): Promise<void> {
  await Promise.all(Object.values(clients).map((client) => client.createTable()));
}
