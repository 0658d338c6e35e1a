import type { PagedAsyncIterableIterator } from '@azure/core-paging';

/**
 * Fetches exactly one page from an ACS SDK list: one ACS call. The SDK keeps the next link in the settings object
 * it was given (`byPage` mutates `continuationToken`), which is how we learn it without a second call.
 */
export async function onePage<Item>(
  list: PagedAsyncIterableIterator<Item, Item[]>,
  nextLink: string | undefined,
): Promise<{ items: Item[]; nextLink?: string }> {
  const settings: { continuationToken?: string } = nextLink ? { continuationToken: nextLink } : {};
  const pages = list.byPage(settings);
  try {
    const first = await pages.next();
    const items = first.done ? [] : first.value;
    return { items, ...(settings.continuationToken && settings.continuationToken !== nextLink ? { nextLink: settings.continuationToken } : {}) };
  } finally {
    await pages.return?.(undefined);
  }
}
