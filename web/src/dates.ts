/** A moment as the reader's locale writes it, short: "06/12/2026, 22:13". */
export function dateTimeText(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
}
