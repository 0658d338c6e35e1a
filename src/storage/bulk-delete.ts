import type { TableClient } from '@azure/data-tables';

import { isNotFound } from './errors';

/**
 * Deletes up to `limit` rows matching `filter` (read a page at a time, keys only), each on its own so that rows of
 * different partitions go too. A row gone meanwhile is fine. Returns how many went and whether any may be left.
 */
export async function deleteWhere(
  table: TableClient,
  filter: string,
  limit: number,
  keep: (row: Record<string, unknown>) => boolean = () => false,
): Promise<{ deleted: number; more: boolean }> {
  let deleted = 0;
  const pages = table
    .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
    .byPage({ maxPageSize: Math.min(limit, 1000) });
  for await (const page of pages) {
    for (const row of page) {
      if (keep(row)) continue;
      if (deleted >= limit) return { deleted, more: true };
      try {
        await table.deleteEntity(String(row.partitionKey), String(row.rowKey));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      deleted += 1;
    }
  }
  return { deleted, more: false };
}

/** The OData filter for every partition key that starts with `prefix`. */
export function partitionPrefix(prefix: string): string {
  const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return `PartitionKey ge '${prefix.replace(/'/g, "''")}' and PartitionKey lt '${upper.replace(/'/g, "''")}'`;
}
