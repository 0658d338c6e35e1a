import type { TableClient, TableEntityResult } from '@azure/data-tables';

import { isStatus } from './errors';

/**
 * Reading and deleting expired rows for the retention timer (src/retention/): one page of a query at a time, resumable
 * from Tables' own continuation token, and deletions conditional on the row as read, so that a row rewritten since
 * (a thread re-joined, a report reopened) is never deleted.
 */

/** A row found expired, as read (its ETag makes its deletion conditional). */
export interface ExpiredRow {
  partitionKey: string;
  rowKey: string;
  etag: string;
}

export interface ExpiredPage<Row extends ExpiredRow = ExpiredRow> {
  rows: Row[];
  /** Where the next page starts; absent when the query has no more rows (a pass is complete). */
  continuation?: string;
}

/** One page of at most `maxPageSize` rows matching `filter`, from `continuation` on. */
export async function queryPage<Entity extends object>(
  table: TableClient,
  filter: string,
  select: string[] | undefined,
  maxPageSize: number,
  continuation?: string,
): Promise<{ entities: Array<TableEntityResult<Entity>>; continuation?: string }> {
  const page = await table
    .listEntities<Entity>({ queryOptions: { filter, ...(select ? { select } : {}) } })
    .byPage({ maxPageSize, ...(continuation ? { continuationToken: continuation } : {}) })
    .next();
  if (page.done) return { entities: [] };
  return {
    entities: page.value,
    ...(page.value.continuationToken ? { continuation: page.value.continuationToken } : {}),
  };
}

/** One page of the keys (and ETags) of the rows matching `filter`, from `continuation` on. */
export async function expiredKeysPage(
  table: TableClient,
  filter: string,
  maxPageSize: number,
  continuation?: string,
): Promise<ExpiredPage> {
  const page = await queryPage(table, filter, ['PartitionKey', 'RowKey'], maxPageSize, continuation);
  return { rows: page.entities.map(expiredRowOf), ...(page.continuation ? { continuation: page.continuation } : {}) };
}

/** The row as read: its keys and ETag. */
export function expiredRowOf(entity: { partitionKey?: string; rowKey?: string; etag: string }): ExpiredRow {
  return { partitionKey: entity.partitionKey ?? '', rowKey: entity.rowKey ?? '', etag: entity.etag };
}

/** Deletes the row if it is unchanged since read: false when it changed (412) or is gone (404). */
export async function deleteUnchanged(table: TableClient, row: ExpiredRow): Promise<boolean> {
  try {
    await table.deleteEntity(row.partitionKey, row.rowKey, { etag: row.etag });
    return true;
  } catch (error) {
    if (isStatus(error, 404, 412)) return false;
    throw error;
  }
}

/** An OData datetime literal. */
export function odataDate(on: number): string {
  return `datetime'${new Date(on).toISOString()}'`;
}
