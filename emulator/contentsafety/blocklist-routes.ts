import type { HandlerResult, RequestContext } from '../acs/context';
import { objectBody } from '../acs/request';
import type { Blocklist, BlocklistItem, NewItem } from './blocklists';
import { invalidBody, invalidName, resourceNotFound } from './errors';
import {
  BLOCKLIST_NAME,
  codePoints,
  MAX_DESCRIPTION,
  MAX_ITEM_ID,
  MAX_ITEM_TEXT_CODE_POINTS,
  MAX_ITEMS_PER_REQUEST,
  REGEX_API_VERSION,
} from './limits';
import { page } from './paging';
import type { ContentSafetyState } from './state';

/** The text blocklist operations (`/contentsafety/text/blocklists…`), shapes as in the 2024-09-01 contract. */

export type CsHandler = (ctx: RequestContext, st: ContentSafetyState, apiVersion: string) => HandlerResult;

function blocklistName(ctx: RequestContext): string {
  const name = ctx.params[0] ?? '';
  if (!BLOCKLIST_NAME.test(name))
    throw invalidName('A blocklist name has 1 to 64 characters from 0-9, A-Z, a-z and - . _ ~.');
  return name;
}

function existingList(ctx: RequestContext, st: ContentSafetyState): Blocklist {
  const name = blocklistName(ctx);
  const list = st.blocklists.get(name);
  if (!list) throw resourceNotFound(`The blocklist '${name}' does not exist.`);
  return list;
}

const listModel = (l: Blocklist): Record<string, string> =>
  l.description === undefined
    ? { blocklistName: l.blocklistName }
    : { blocklistName: l.blocklistName, description: l.description };

/** `isRegex` exists from api-version 2024-09-01 on; 2023-10-01's TextBlocklistItem has no such field. */
function itemModel(item: BlocklistItem, apiVersion: string): Record<string, unknown> {
  const model: Record<string, unknown> = { blocklistItemId: item.blocklistItemId };
  if (item.description !== undefined) model.description = item.description;
  model.text = item.text;
  if (apiVersion >= REGEX_API_VERSION) model.isRegex = item.isRegex;
  return model;
}

function description(value: unknown, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || codePoints(value) > MAX_DESCRIPTION)
    throw invalidBody(`'${field}' must be a string of at most ${MAX_DESCRIPTION} characters.`);
  return value;
}

function arrayField(body: Record<string, unknown>, field: string): unknown[] {
  const value = body[field];
  if (!Array.isArray(value)) throw invalidBody(`'${field}' is required and must be an array.`);
  if (value.length > MAX_ITEMS_PER_REQUEST)
    throw invalidBody(`At most ${MAX_ITEMS_PER_REQUEST} ${field} are allowed in one request.`);
  return value;
}

function newItem(value: unknown, apiVersion: string): NewItem {
  if (typeof value !== 'object' || value === null) throw invalidBody('Each blocklist item must be an object.');
  const fields = value as Record<string, unknown>;
  const { text, isRegex } = fields;
  if (typeof text !== 'string' || text === '' || codePoints(text) > MAX_ITEM_TEXT_CODE_POINTS)
    throw invalidBody(`A blocklist item's 'text' must have 1 to ${MAX_ITEM_TEXT_CODE_POINTS} characters.`);
  if (isRegex !== undefined && isRegex !== null && typeof isRegex !== 'boolean')
    throw invalidBody("'isRegex' must be a boolean.");
  const item: NewItem = { text, isRegex: apiVersion >= REGEX_API_VERSION && isRegex === true };
  const itemDescription = description(fields.description, 'description');
  if (typeof itemDescription === 'string') item.description = itemDescription;
  return item;
}

export const blocklistHandlers: Record<string, CsHandler> = {
  'blocklists.list': (_ctx, st) => ({ status: 200, body: { value: st.blocklists.all().map(listModel) } }),

  'blocklists.get': (ctx, st) => ({ status: 200, body: listModel(existingList(ctx, st)) }),

  'blocklists.createOrUpdate': (ctx, st) => {
    const name = blocklistName(ctx);
    const body = objectBody(ctx);
    if (body.blocklistName !== undefined && body.blocklistName !== name)
      throw invalidBody("'blocklistName' in the body must be the name in the URL.");
    const { list, created } = st.blocklists.upsert(name, description(body.description, 'description'));
    return { status: created ? 201 : 200, body: listModel(list) };
  },

  'blocklists.delete': (ctx, st) => {
    st.blocklists.delete(blocklistName(ctx));
    return { status: 204 };
  },

  'blocklists.addOrUpdateItems': (ctx, st, apiVersion) => {
    const list = existingList(ctx, st);
    const items = arrayField(objectBody(ctx), 'blocklistItems').map((i) => newItem(i, apiVersion));
    const saved = st.blocklists.addOrUpdate(list, items);
    return { status: 200, body: { blocklistItems: saved.map((i) => itemModel(i, apiVersion)) } };
  },

  'blocklists.removeItems': (ctx, st) => {
    const list = existingList(ctx, st);
    const ids = arrayField(objectBody(ctx), 'blocklistItemIds');
    if (!ids.every((id): id is string => typeof id === 'string'))
      throw invalidBody("'blocklistItemIds' must be an array of strings.");
    st.blocklists.remove(list, ids);
    return { status: 204 };
  },

  'blocklists.listItems': (ctx, st, apiVersion) => {
    const list = existingList(ctx, st);
    const items = [...list.items.values()].map((i) => itemModel(i, apiVersion));
    const path = `/contentsafety/text/blocklists/${encodeURIComponent(list.blocklistName)}/blocklistItems`;
    return { status: 200, body: page(items, ctx, path, apiVersion) };
  },

  'blocklists.getItem': (ctx, st, apiVersion) => {
    const list = existingList(ctx, st);
    const id = ctx.params[1] ?? '';
    if (id.length > MAX_ITEM_ID) throw invalidName(`A blocklistItemId has at most ${MAX_ITEM_ID} characters.`);
    const item = list.items.get(id);
    if (!item) throw resourceNotFound(`The blocklist item '${id}' does not exist in '${list.blocklistName}'.`);
    return { status: 200, body: itemModel(item, apiVersion) };
  },
};
