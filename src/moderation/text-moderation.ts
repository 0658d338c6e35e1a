import type { HarmCategory } from '../config';
import { htmlToText } from '../inbox/preview';
import { MAX_ANALYZED_CODE_POINTS, type TextAnalyzer } from './content-safety';

/** Why a text was refused: harm categories at or over their threshold, or `Blocklist` (never the matched term). */
export type RejectionCategory = HarmCategory | 'Blocklist';

export type Verdict = { flagged: false } | { flagged: true; categories: RejectionCategory[] };

/** A blocklist term can be this long (Content Safety's limit): chunks overlap by it, so no term is cut in two. */
const MAX_TERM_CODE_POINTS = 128;

/**
 * Judges a text against the configured thresholds and blocklists. One Content Safety call for any text of up to
 * 10,000 characters (every chat message but the longest); a longer one is analysed in overlapping chunks, one call
 * each, and rejected if any chunk is.
 */
export class TextModeration {
  constructor(
    private readonly analyzer: TextAnalyzer,
    private readonly thresholds: Partial<Record<HarmCategory, number>>,
  ) {}

  async verdict(text: string): Promise<Verdict> {
    const found = new Set<RejectionCategory>();
    for (const chunk of chunksOf(text)) {
      const analysis = await this.analyzer.analyze(chunk);
      if (analysis.blocklistHit) found.add('Blocklist');
      for (const [category, severity] of Object.entries(analysis.severities) as Array<[HarmCategory, number]>) {
        const threshold = this.thresholds[category];
        if (threshold !== undefined && severity >= threshold) found.add(category);
      }
    }
    return found.size > 0 ? { flagged: true, categories: [...found].sort() } : { flagged: false };
  }
}

/** Nothing to analyse in a blank text; otherwise chunks of at most MAX_ANALYZED_CODE_POINTS, overlapping. */
export function chunksOf(text: string): string[] {
  if (text.trim() === '') return [];
  const points = [...text];
  if (points.length <= MAX_ANALYZED_CODE_POINTS) return [text];
  const step = MAX_ANALYZED_CODE_POINTS - MAX_TERM_CODE_POINTS;
  const chunks: string[] = [];
  for (let start = 0; start < points.length; start += step) {
    chunks.push(points.slice(start, start + MAX_ANALYZED_CODE_POINTS).join(''));
    if (start + MAX_ANALYZED_CODE_POINTS >= points.length) break;
  }
  return chunks;
}

/**
 * The text Content Safety judges: a text message as written, an HTML one as a reader sees it (so that tags cannot split
 * a word). An edit does not say which kind it is: text with markup in it is judged in both forms, in one call.
 */
export function moderatedText(content: string, kind: 'text' | 'html' | undefined): string {
  if (kind === 'text') return content;
  if (kind === 'html') return htmlToText(content);
  return /<[a-z!/]/i.test(content) ? `${content}\n${htmlToText(content)}` : content;
}
