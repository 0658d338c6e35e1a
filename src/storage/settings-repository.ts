import { randomBytes } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import { isConflict, isStatus } from './errors';

/**
 * Values the backend generates for itself and shares across instances, such as the key that signs
 * continuation tokens. The first instance to need one creates it; the others read it.
 */
export class SettingsRepository {
  constructor(private readonly table: TableClient) {}

  async signingKey(name: string): Promise<Buffer> {
    const generated = randomBytes(32).toString('base64');
    try {
      await this.table.createEntity({ partitionKey: 'key', rowKey: name, value: generated });
      return Buffer.from(generated, 'base64');
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const stored = await this.table.getEntity<{ value: string }>('key', name);
    return Buffer.from(stored.value, 'base64');
  }

  /** Where the retention timer's sweep `name` stopped (a continuation token), if it is inside a pass. */
  async retentionCursor(name: string): Promise<string | undefined> {
    try {
      return (await this.table.getEntity<{ value: string }>(RETENTION_PARTITION, name)).value || undefined;
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Keeps the cursor of sweep `name`; undefined: the pass is complete, the next run starts over. */
  async setRetentionCursor(name: string, cursor: string | undefined): Promise<void> {
    await this.table.upsertEntity({ partitionKey: RETENTION_PARTITION, rowKey: name, value: cursor ?? '' }, 'Replace');
  }
}

const RETENTION_PARTITION = 'retention';
