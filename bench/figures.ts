import type { LogRecord } from '../dev/host';
import type { RunningEmulator } from '../emulator';

/**
 * What the benches that count calls share: arithmetic and wording of counts keyed by `<method> <table>` (or by
 * operation), the check that stops a run whose figures would mean nothing, and holding chat events back in an ACS
 * emulator so that their handling is counted apart from what caused them.
 */

/** Wrong behaviour: stops the run (its figures would mean nothing). */
export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`FAIL ${what}`);
}

export const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, n) => sum + n, 0);
export const only = (counts: Record<string, number>, key: string): number => counts[key] ?? 0;

export function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** What grew from `before` to `after`, by key. */
export function subtract(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, n] of Object.entries(after)) if (n - (before[key] ?? 0) > 0) delta[key] = n - (before[key] ?? 0);
  return delta;
}

/** Adds `more` into `into`, by key. */
export function addInto(into: Record<string, number>, more: Record<string, number>): void {
  for (const [key, n] of Object.entries(more)) into[key] = (into[key] ?? 0) + n;
}

/** Tables counts keyed `<method> <table>` with one stack's table prefix taken off (other tables keep their names). */
export function withoutPrefix(counts: Record<string, number>, prefix: string): Record<string, number> {
  const tables: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    const [method, table = ''] = key.split(' ');
    const own = table.startsWith(prefix) ? table.slice(prefix.length) : table;
    tables[`${method} ${own}`] = (tables[`${method} ${own}`] ?? 0) + n;
  }
  return tables;
}

/** `n` per unit, to two decimals; `n/units` where that would show a count that is not 0 as 0.00. */
export const rate = (n: number, units: number): string =>
  units === 1 ? String(n) : n === 0 || Math.abs(n / units) >= 0.005 ? (n / units).toFixed(2) : `${n}/${units}`;
export const listed = (counts: Record<string, number>, units = 1): string =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${rate(n, units)}`)
    .join(', ') || 'none';
export const per = (counts: Record<string, number>, units: number): string =>
  `${rate(total(counts), units)} (${listed(counts, units)})`;

/** A logged warning or error without its ids (thread ids, Tables' request ids), to count alike ones together. */
export function problemKey(record: LogRecord): string {
  const text = record.args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
  const tablesCode = /"code":"(\w+)"/.exec(text)?.[1];
  const what = tablesCode ? `${String(record.args[0])} Tables ${tablesCode}` : text;
  return `${record.functionName} ${what.replace(/19:\S+@thread\.v2/g, '<thread>')}`.slice(0, 120);
}

/** Chat events are held this long at most (released by a flush), so that no delivery lands while work is timed. */
const HOLD_MS = 600_000;

/** Holds the emulator's chat events back (until `settleEvents`), or lets them flow again. */
export function holdEvents(emulator: RunningEmulator, hold: boolean): void {
  emulator.control.setEventDelivery(hold ? { reorder: true, reorderWindowMs: HOLD_MS } : { reorder: false });
}

/** Delivers every chat event (held ones too) and waits until each is acknowledged or dead-lettered. */
export async function settleEvents(emulator: RunningEmulator, whose: string): Promise<void> {
  const { settled } = await emulator.control.flushEvents(120_000);
  check(settled, `the ${whose} stack's chat events did not settle within 2 minutes`);
}

/** `work` for each item, `concurrency` at a time. */
export async function forEachAtOnce<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
