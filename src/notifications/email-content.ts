/** One thread in an away email: what is unread there and from whom. */
export interface UnreadThread {
  threadId: string;
  topic: string;
  unreadCount: number;
  /** Display names (or user ids) of the senders of the unread messages, newest first, distinct. */
  senders: string[];
  /** The newest unread message's preview (text), when previews are on. */
  preview?: string;
}

export interface AwayEmailInput {
  threads: UnreadThread[];
  /** More threads with unread messages than the email lists. */
  moreThreads: number;
  /** The chat app; without it the email says to open the app, with no link. */
  appBaseUrl?: string;
  unsubscribeUrl: string;
}

const MAX_SENDERS_NAMED = 3;

/**
 * The away email, in HTML and plain text. Everything that comes from users (topics, names, previews) is escaped in the
 * HTML and never becomes markup or a link; the only links are the app's and the unsubscribe link.
 */
export function awayEmail(input: AwayEmailInput): { subject: string; html: string; plainText: string } {
  const total = input.threads.reduce((sum, thread) => sum + thread.unreadCount, 0);
  const subject =
    input.threads.length === 1 && input.moreThreads === 0
      ? `${total} unread ${plural(total, 'message')} in ${oneLine(input.threads[0]!.topic)}`
      : `${total} unread ${plural(total, 'message')} in ${input.threads.length + input.moreThreads} conversations`;
  const lines = input.threads.map((thread) => ({
    heading: `${oneLine(thread.topic)}: ${thread.unreadCount} unread`,
    from: `from ${namesOf(thread.senders)}`,
    preview: thread.preview,
  }));
  const more =
    input.moreThreads > 0 ? `and ${input.moreThreads} more ${plural(input.moreThreads, 'conversation')}` : '';
  const plainText = [
    'You have unread messages:',
    '',
    ...lines.flatMap((line) => [`- ${line.heading} ${line.from}`, ...(line.preview ? [`  "${line.preview}"`] : [])]),
    ...(more ? [more] : []),
    '',
    input.appBaseUrl ? `Open the chat: ${input.appBaseUrl}` : 'Open the chat app to read them.',
    '',
    `Stop these emails: ${input.unsubscribeUrl}`,
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    '<p>You have unread messages:</p><ul>',
    ...lines.map(
      (line) =>
        `<li><strong>${escapeHtml(line.heading)}</strong> ${escapeHtml(line.from)}` +
        (line.preview ? `<br><q>${escapeHtml(line.preview)}</q>` : '') +
        '</li>',
    ),
    '</ul>',
    more ? `<p>${escapeHtml(more)}</p>` : '',
    input.appBaseUrl
      ? `<p><a href="${escapeHtml(input.appBaseUrl)}">Open the chat</a></p>`
      : '<p>Open the chat app to read them.</p>',
    `<p style="font-size:small"><a href="${escapeHtml(input.unsubscribeUrl)}">Stop these emails</a></p>`,
    '</body></html>',
  ].join('');
  return { subject, html, plainText };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Header-safe: no line breaks (a topic cannot add headers), at most 100 characters. */
function oneLine(text: string): string {
  return [...text.replace(/[\r\n\t]+/g, ' ').trim()].slice(0, 100).join('');
}

function namesOf(senders: string[]): string {
  const named = senders.slice(0, MAX_SENDERS_NAMED).map(oneLine);
  const others = senders.length - named.length;
  return others > 0 ? `${named.join(', ')} and ${others} ${plural(others, 'other')}` : named.join(', ');
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
