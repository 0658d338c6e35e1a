import { badRequest } from '../acs/errors';
import { CATEGORIES, isCategory, type TextCategory } from './limits';
import { literalMatcher, type Matcher } from './matching';

/**
 * Severity scoring. There is no model here: a text's severity in a category is the highest severity of the table's
 * terms found in it (matched like literal blocklist items), 0 when none is. The control API sets the table; it starts
 * empty, so every text scores 0 everywhere until a test or the dev stack says otherwise.
 */

export interface SeverityTerm {
  term: string;
  category: TextCategory;
  /** On the full scale, 0..7; FourSeverityLevels reports it trimmed (0-1 → 0, 2-3 → 2, 4-5 → 4, 6-7 → 6). */
  severity: number;
}

export class SeverityTable {
  private entries: { term: SeverityTerm; matches: Matcher }[] = [];

  /** Replaces the table; throws 400 BadRequest (as an ApiError) for a malformed entry. */
  set(terms: readonly unknown[]): void {
    this.entries = terms.map((t) => {
      const term = validTerm(t);
      return { term, matches: literalMatcher(term.term) };
    });
  }

  list(): SeverityTerm[] {
    return this.entries.map((e) => ({ ...e.term }));
  }

  clear(): void {
    this.entries = [];
  }

  score(text: string): Record<TextCategory, number> {
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<TextCategory, number>;
    for (const { term, matches } of this.entries) {
      if (term.severity > scores[term.category] && matches(text)) scores[term.category] = term.severity;
    }
    return scores;
  }
}

function validTerm(t: unknown): SeverityTerm {
  const { term, category, severity } = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
  if (typeof term !== 'string' || term.trim() === '') throw badRequest("Each severity term needs a non-empty 'term'.");
  if (!isCategory(category)) throw badRequest(`'category' must be one of ${CATEGORIES.join(', ')}.`);
  if (typeof severity !== 'number' || !Number.isInteger(severity) || severity < 0 || severity > 7)
    throw badRequest("'severity' must be an integer 0..7.");
  return { term, category, severity };
}
