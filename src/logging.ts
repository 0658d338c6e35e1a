/**
 * Log helpers. Everything logged goes through the invocation context; these make sure that
 * no credential can ride along in an error message.
 */

const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/eyJ[\w-]+\.[\w-]*\.?[\w-]*/g, '[redacted-jwt]'],
  [/(accesskey|accountkey|sharedaccesssignature|sig|password|secret)=([^;&\s"']+)/gi, '$1=[redacted]'],
  [/(bearer|hmac-sha256)\s+[^\s"',]+/gi, '$1 [redacted]'],
];

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

/** A safe, short description of any thrown value. */
export function describeError(error: unknown): { name: string; message: string; statusCode?: number; code?: string } {
  if (error instanceof Error) {
    const extra = error as Error & { statusCode?: unknown; code?: unknown };
    return {
      name: error.name,
      message: redact(error.message).slice(0, 500),
      ...(typeof extra.statusCode === 'number' ? { statusCode: extra.statusCode } : {}),
      ...(typeof extra.code === 'string' ? { code: extra.code } : {}),
    };
  }
  return { name: typeof error, message: redact(String(error)).slice(0, 500) };
}
