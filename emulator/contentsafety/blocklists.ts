import { randomUUID } from 'node:crypto';

import { invalidBody } from './errors';
import { MAX_TERMS_PER_RESOURCE } from './limits';
import { literalMatcher, type Matcher, regexMatcher } from './matching';

/** The resource's text blocklists and their items, in memory. Names are case-sensitive; lists keep creation order. */

export interface BlocklistItem {
  blocklistItemId: string;
  text: string;
  description?: string;
  isRegex: boolean;
  matches: Matcher;
}

export interface Blocklist {
  blocklistName: string;
  description?: string;
  /** By id, in the order the items were first added. */
  items: Map<string, BlocklistItem>;
}

export interface NewItem {
  text: string;
  description?: string;
  isRegex: boolean;
}

export class BlocklistStore {
  private readonly lists = new Map<string, Blocklist>();

  get(name: string): Blocklist | undefined {
    return this.lists.get(name);
  }

  all(): Blocklist[] {
    return [...this.lists.values()];
  }

  /** Merge patch of the description: undefined keeps it, null removes it. */
  upsert(name: string, description: string | null | undefined): { list: Blocklist; created: boolean } {
    const existing = this.lists.get(name);
    const list = existing ?? { blocklistName: name, items: new Map<string, BlocklistItem>() };
    if (description === null) delete list.description;
    else if (description !== undefined) list.description = description;
    this.lists.set(name, list);
    return { list, created: existing === undefined };
  }

  delete(name: string): boolean {
    return this.lists.delete(name);
  }

  clear(): void {
    this.lists.clear();
  }

  totalItems(): number {
    let n = 0;
    for (const list of this.lists.values()) n += list.items.size;
    return n;
  }

  /**
   * An item whose text is already in the list (exactly) is updated in place and keeps its id; the others are added.
   * Refused as a whole when the resource would hold more than 10,000 terms or a regex does not compile.
   */
  addOrUpdate(list: Blocklist, items: readonly NewItem[]): BlocklistItem[] {
    const byText = new Map([...list.items.values()].map((i) => [i.text, i]));
    const added = new Set(items.map((i) => i.text).filter((text) => !byText.has(text))).size;
    if (this.totalItems() + added > MAX_TERMS_PER_RESOURCE) {
      throw invalidBody(`A resource can hold at most ${MAX_TERMS_PER_RESOURCE} terms in total across all lists.`);
    }
    const matchers = items.map((i) => (i.isRegex ? compile(i.text) : literalMatcher(i.text)));
    return items.map((input, n) => {
      const item: BlocklistItem = {
        blocklistItemId: byText.get(input.text)?.blocklistItemId ?? randomUUID(),
        text: input.text,
        isRegex: input.isRegex,
        matches: matchers[n] as Matcher,
      };
      if (input.description !== undefined) item.description = input.description;
      list.items.set(item.blocklistItemId, item);
      byText.set(item.text, item);
      return item;
    });
  }

  /** Unknown ids are ignored. */
  remove(list: Blocklist, ids: readonly string[]): void {
    for (const id of ids) list.items.delete(id);
  }
}

function compile(source: string): Matcher {
  try {
    return regexMatcher(source);
  } catch {
    throw invalidBody(`The blocklist item '${source}' is not a valid regular expression.`);
  }
}
