import { readFileSync } from 'node:fs';
import path from 'node:path';

import { type CatalogueRole, retentionTableMarkdown, TABLE_CATALOGUE } from '../../src/storage/table-catalogue';
import { TABLE_ROLES } from '../../src/storage/table-clients';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Data retention'), readme.indexOf('## Deploy'));

/** A markdown table's body rows as trimmed cells (`\|` inside a cell kept), whatever the column padding. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

describe('table catalogue', () => {
  it('has an entry for every table the backend writes (TABLE_ROLES)', () => {
    const missing = TABLE_ROLES.filter((role) => !(role in TABLE_CATALOGUE));
    // A role added to TABLE_ROLES without a catalogue entry is named here: add it to src/storage/table-catalogue.ts.
    expect({ rolesWithoutCatalogueEntry: missing }).toEqual({ rolesWithoutCatalogueEntry: [] });
  });

  it('lists no table the backend does not write, but the erasure records it is about to', () => {
    const roles = new Set<string>(TABLE_ROLES);
    const extra = Object.keys(TABLE_CATALOGUE).filter((role) => !roles.has(role));
    expect(extra.every((role) => role === ('erasures' satisfies CatalogueRole))).toBe(true);
  });

  it('says for every kind of row what it holds, whose data, how long it lives and what deletes it', () => {
    for (const [role, entry] of Object.entries(TABLE_CATALOGUE)) {
      expect([role, entry.holds.length > 0, entry.personalData.length > 0, entry.rows.length > 0]).toEqual([
        role,
        true,
        true,
        true,
      ]);
      for (const row of entry.rows) expect([role, row.kind, row.lifetime.length > 0]).toEqual([role, row.kind, true]);
    }
  });

  it('the README\'s "Data retention" table lists exactly the catalogue', () => {
    expect(tableRows(section)).toEqual(tableRows(retentionTableMarkdown()));
  });
});
