/**
 * How a term is found in a text, for blocklist items and for the severity table. Learn does not say how blocklist
 * items match, so these are the emulator's rules (README, "Blocklist matching"):
 * - case-insensitive (Unicode simple case folding);
 * - a literal term matches whole words: where the term begins (ends) with a letter, digit or mark, the text must not
 *   continue with another one before (after) it; scripts written without spaces (Han, Kana, Thai, Lao, Khmer,
 *   Myanmar) match anywhere;
 * - a regex item (`isRegex`, api-version 2024-09-01) is a JavaScript regular expression (flags `iu`), matched
 *   anywhere as written.
 */

export type Matcher = (text: string) => boolean;

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const needsBoundary = (c: string): boolean => WORD_CHAR.test(c) && !UNSPACED_SCRIPT.test(c);

function codePointAt(text: string, i: number): string {
  const cp = text.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

function codePointBefore(text: string, i: number): string {
  if (i <= 0) return '';
  const unit = text.charCodeAt(i - 1);
  return codePointAt(text, unit >= 0xdc00 && unit <= 0xdfff && i >= 2 ? i - 2 : i - 1);
}

/**
 * The boundaries are checked in code rather than with `\p{…}` lookarounds in every term's pattern: such patterns cost
 * about a millisecond each to compile, which 10,000 blocklist terms would pay on an analysis.
 */
export function literalMatcher(term: string): Matcher {
  const pattern = new RegExp(escapeRegExp(term), 'giu');
  const chars = [...term];
  const checkBefore = needsBoundary(chars[0] ?? '');
  const checkAfter = needsBoundary(chars[chars.length - 1] ?? '');
  return (text) => {
    for (const m of text.matchAll(pattern)) {
      if (checkBefore && WORD_CHAR.test(codePointBefore(text, m.index))) continue;
      if (checkAfter && WORD_CHAR.test(codePointAt(text, m.index + m[0].length))) continue;
      return true;
    }
    return false;
  };
}

/** Throws SyntaxError when `source` is not a valid pattern. */
export function regexMatcher(source: string): Matcher {
  const pattern = new RegExp(source, 'iu');
  return (text) => pattern.test(text);
}
