/** main.parameters.json as read for the checks: its text, and the path findings show. */
export interface ParametersFile {
  displayPath: string;
  text: string;
}

export type ParsedParameters = { parameters: Record<string, unknown> } | { problem: string };

/** The "parameters" object of the file, or what is wrong with the file. */
export function parseParameters(file: ParametersFile): ParsedParameters {
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.text);
  } catch (error) {
    return { problem: `is not valid JSON: ${(error as Error).message}` };
  }
  const parameters = (parsed as { parameters?: unknown }).parameters;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    return { problem: 'has no "parameters" object' };
  }
  return { parameters: parameters as Record<string, unknown> };
}

/** 1-based line of `"key":` in the file; 1 when it is not found. */
export function lineOfKey(text: string, key: string): number {
  const lines = text.split('\n');
  const pattern = new RegExp(`^\\s*"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`);
  const index = lines.findIndex((line) => pattern.test(line));
  return index < 0 ? 1 : index + 1;
}
