/** One problem the infra lint found, pointing at a file and a 1-based line. */
export interface Finding {
  /** Path relative to the directory the lint was run from (or absolute if outside it). */
  file: string;
  line: number;
  /** Short name of the check that produced the finding, e.g. "syntax". */
  check: string;
  message: string;
}

export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}: [${finding.check}] ${finding.message}`;
}

/** A finding about what a file lacks altogether (a resource the infra must deploy): at its first line. */
export function absenceFinding(file: { displayPath: string }, check: string, message: string): Finding {
  return { file: file.displayPath, line: 1, check, message };
}
