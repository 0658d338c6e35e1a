import { readFileSync } from 'node:fs';
import path from 'node:path';

import { settingsSchema } from '../../src/config';

/**
 * local.settings.sample.json documents every setting the app reads, and copied as is it passes validation shape-wise.
 */
describe('local.settings.sample.json', () => {
  const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
    Comments: Record<string, string>;
  };

  it.each(Object.keys(settingsSchema.shape))('documents %s', (setting) => {
    expect(sample.Comments[setting] ?? '').not.toBe('');
  });

  it('names no setting the app does not read', () => {
    const known = new Set([...Object.keys(settingsSchema.shape), 'FUNCTIONS_WORKER_RUNTIME', '_']);
    expect([...Object.keys(sample.Values), ...Object.keys(sample.Comments)].filter((key) => !known.has(key))).toEqual(
      [],
    );
  });
});
