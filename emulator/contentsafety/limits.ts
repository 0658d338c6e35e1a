/**
 * What Azure AI Content Safety documents about its text and blocklist APIs, each number with its source. The
 * contract is emulator/contract/contentsafety/contentsafety-2024-09-01.json; the Learn pages are listed in
 * emulator/README.md.
 */

/** api-versions served: the current GA one, and the GA one `@azure-rest/ai-content-safety` 1.0.1 sends by default. */
export const API_VERSIONS: ReadonlySet<string> = new Set(['2024-09-01', '2023-10-01']);
/** The first api-version whose TextBlocklistItem has `isRegex`. */
export const REGEX_API_VERSION = '2024-09-01';

export const CATEGORIES = ['Hate', 'SelfHarm', 'Sexual', 'Violence'] as const;
export type TextCategory = (typeof CATEGORIES)[number];
export const isCategory = (v: unknown): v is TextCategory => CATEGORIES.some((c) => c === v);

/** AnalyzeTextOptions.text maxLength ("10k Unicode characters (Unicode code points)"); Learn overview, Input
 * requirements ("Default maximum length: 10K characters"). */
export const MAX_TEXT_CODE_POINTS = 10_000;

/** Learn "Use a blocklist": "a maximum limit of 10,000 terms in total across all lists". */
export const MAX_TERMS_PER_RESOURCE = 10_000;
/** Learn "Use a blocklist" and the operations' descriptions: at most 100 items in one add or remove request. */
export const MAX_ITEMS_PER_REQUEST = 100;
/** TextBlocklistItem.text maxLength, in code points; Learn "Use a blocklist": "The maximum length of a blocklistItem is
 * 128 characters". */
export const MAX_ITEM_TEXT_CODE_POINTS = 128;
/** TextBlocklist.description and TextBlocklistItem.description maxLength. */
export const MAX_DESCRIPTION = 1024;
/** blocklistName: maxLength 64, pattern `^[0-9A-Za-z._~-]+$`. */
export const BLOCKLIST_NAME = /^[0-9A-Za-z._~-]{1,64}$/;
/** blocklistItemId path parameter maxLength. */
export const MAX_ITEM_ID = 64;

/** Learn overview, Query rates, "Moderation APIs (text and image)": F0 5 RPS, S0 1000 RP10S. */
export const RATE_TIERS = {
  F0: { limit: 5, windowSeconds: 1 },
  S0: { limit: 1000, windowSeconds: 10 },
} as const;
export type RateTier = keyof typeof RATE_TIERS;

export const codePoints = (s: string): number => [...s].length;
