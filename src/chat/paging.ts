import type { ChatClient } from '@azure/communication-chat';
import type { PagedAsyncIterableIterator } from '@azure/core-paging';

import { rethrowAs } from '../upstream-errors';
import type { ChatDependencies } from './chat-context';
import type { PageScope } from './continuation';
import { fromThreadCall } from './errors';

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
    return {
      items,
      ...(settings.continuationToken && settings.continuationToken !== nextLink
        ? { nextLink: settings.continuationToken }
        : {}),
    };
  } finally {
    await pages.return?.(undefined);
  }
}

/**
 * One page of an ACS list, fetched as `acsUserId`: our signed continuation token in, the ACS next link inside it,
 * a new signed token out.
 */
export async function pageAs<Item>(
  deps: Pick<ChatDependencies, 'acs' | 'paging'>,
  acsUserId: string,
  scope: PageScope,
  continuationToken: string | undefined,
  open: (client: ChatClient) => PagedAsyncIterableIterator<Item, Item[]>,
): Promise<{ items: Item[]; continuationToken?: string }> {
  const nextLink = continuationToken ? await deps.paging.decode(scope, continuationToken) : undefined;
  const page = await deps.acs
    .asUser(acsUserId, (client) => onePage(open(client), nextLink))
    .catch(rethrowAs(fromThreadCall));
  const next = await deps.paging.encode(scope, page.nextLink);
  return { items: page.items, ...(next ? { continuationToken: next } : {}) };
}

/** The SDK's paging options for a validated `maxPageSize`. */
export function pageSize(maxPageSize: number | undefined): { maxPageSize?: number } {
  return maxPageSize ? { maxPageSize } : {};
}
