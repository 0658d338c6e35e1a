import { ApiError } from '../../client';

/** What the user was doing when the API refused: it decides how a content refusal is worded. */
export type RefusableAction = 'send' | 'edit' | 'createThread';

const FLAGGED: Record<RefusableAction, string> = {
  send: 'Not sent: your message was flagged',
  edit: 'Not saved: your edit was flagged',
  createThread: 'Not created: the topic was flagged',
};

/** Category names as a person would write them; others (Hate, Sexual, Violence) read well as the API sends them. */
const CATEGORY_NAMES: Record<string, string> = { SelfHarm: 'Self-harm', Blocklist: 'Blocked term' };

/**
 * The harm categories of a 422 ContentRejected (details `{code: "HarmCategory", message: "Hate"}`), readable; the API
 * never names the words that matched. Undefined for any other error.
 */
export function flaggedCategories(error: unknown): string[] | undefined {
  if (!(error instanceof ApiError) || error.code !== 'ContentRejected') return undefined;
  return (error.body?.error.details ?? []).flatMap((detail) =>
    detail.code === 'HarmCategory' && detail.message ? [categoryName(detail.message)] : [],
  );
}

export function categoryName(category: string): string {
  return CATEGORY_NAMES[category] ?? category;
}

/** "(Hate, Violence)", or nothing when no category was named. */
export function inParentheses(categories: readonly string[]): string {
  return categories.length > 0 ? ` (${categories.join(', ')})` : '';
}

/** What to tell the user about a failed action: a content refusal in plain words, otherwise the API's message. */
export function errorText(error: unknown, action?: RefusableAction): string {
  const categories = action ? flaggedCategories(error) : undefined;
  if (action && categories) return `${FLAGGED[action]}${inParentheses(categories)}.`;
  return error instanceof Error ? error.message : String(error);
}
