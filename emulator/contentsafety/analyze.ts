import type { HandlerResult, RequestContext } from '../acs/context';
import { objectBody } from '../acs/request';
import { invalidBody, resourceNotFound } from './errors';
import { CATEGORIES, codePoints, isCategory, MAX_TEXT_CODE_POINTS, type TextCategory } from './limits';
import type { AnalysisRecord, ContentSafetyState } from './state';

/**
 * `POST /contentsafety/text:analyze`: the named blocklists' items found in the text (one match per item), then, unless
 * `haltOnBlocklistHit` stopped there, a severity per requested category from the severity table (severity.ts).
 */

const OUTPUT_TYPES = ['FourSeverityLevels', 'EightSeverityLevels'] as const;
type OutputType = (typeof OUTPUT_TYPES)[number];
const RECENT_ANALYSES = 100;

interface AnalyzeRequest {
  text: string;
  categories: TextCategory[];
  blocklistNames: string[];
  haltOnBlocklistHit: boolean;
  outputType: OutputType;
}

function stringArray(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string'))
    throw invalidBody(`'${field}' must be an array of strings.`);
  return value;
}

function parse(ctx: RequestContext): AnalyzeRequest {
  const body = objectBody(ctx);
  const { text, haltOnBlocklistHit, outputType } = body;
  if (typeof text !== 'string') throw invalidBody("'text' is required and must be a string.");
  if (codePoints(text) > MAX_TEXT_CODE_POINTS)
    throw invalidBody(`'text' is longer than ${MAX_TEXT_CODE_POINTS} characters (Unicode code points).`);
  const categories = stringArray(body.categories, 'categories') ?? [...CATEGORIES];
  const unknown = categories.find((c) => !isCategory(c));
  if (unknown !== undefined) throw invalidBody(`'${unknown}' is not a text category; use ${CATEGORIES.join(', ')}.`);
  if (haltOnBlocklistHit !== undefined && haltOnBlocklistHit !== null && typeof haltOnBlocklistHit !== 'boolean')
    throw invalidBody("'haltOnBlocklistHit' must be a boolean.");
  const output = outputType ?? 'FourSeverityLevels';
  if (!OUTPUT_TYPES.some((t) => t === output)) throw invalidBody(`'outputType' must be ${OUTPUT_TYPES.join(' or ')}.`);
  return {
    text,
    categories: categories.filter(isCategory),
    blocklistNames: [...new Set(stringArray(body.blocklistNames, 'blocklistNames') ?? [])],
    haltOnBlocklistHit: haltOnBlocklistHit === true,
    outputType: output as OutputType,
  };
}

export function analyzeText(ctx: RequestContext, st: ContentSafetyState, apiVersion: string): HandlerResult {
  const request = parse(ctx);
  const lists = request.blocklistNames.map((name) => {
    const list = st.blocklists.get(name);
    if (!list) throw resourceNotFound(`The blocklist '${name}' does not exist.`);
    return list;
  });
  const blocklistsMatch = lists.flatMap((list) =>
    [...list.items.values()]
      .filter((item) => item.matches(request.text))
      .map((item) => ({
        blocklistName: list.blocklistName,
        blocklistItemId: item.blocklistItemId,
        blocklistItemText: item.text,
      })),
  );
  const halted = request.haltOnBlocklistHit && blocklistsMatch.length > 0;
  const scores = st.severity.score(request.text);
  const categoriesAnalysis = halted
    ? []
    : CATEGORIES.filter((c) => request.categories.includes(c)).map((category) => ({
        category,
        severity:
          request.outputType === 'FourSeverityLevels' ? scores[category] - (scores[category] % 2) : scores[category],
      }));
  record(st.analyses, {
    at: new Date().toISOString(),
    apiVersion,
    ...request,
    blocklistsMatched: blocklistsMatch.length,
  });
  return { status: 200, body: { blocklistsMatch, categoriesAnalysis } };
}

function record(analyses: AnalysisRecord[], entry: AnalysisRecord): void {
  analyses.push(entry);
  if (analyses.length > RECENT_ANALYSES) analyses.splice(0, analyses.length - RECENT_ANALYSES);
}
