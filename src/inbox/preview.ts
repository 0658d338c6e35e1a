/** How long a message preview is, in characters (code points). */
export const PREVIEW_LENGTH = 200;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * The text of a message for an inbox preview: HTML reduced to its text (tags dropped, block ends and `<br>` as spaces,
 * common entities decoded), white space collapsed, cut to PREVIEW_LENGTH characters. Only ever shown as text.
 */
export function messagePreview(body: string, type: string): string {
  const text = type.toLowerCase() === 'html' ? htmlToText(body) : body;
  return [...text.replace(/\s+/g, ' ').trim()].slice(0, PREVIEW_LENGTH).join('');
}

/** HTML reduced to the text a reader sees (tags dropped, common entities decoded); white space kept. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<\/?(br|p|div|li|tr|h[1-6])\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => decodeEntity(name) ?? whole);
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return ENTITIES[name.toLowerCase()];
}
