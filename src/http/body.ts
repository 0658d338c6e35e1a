import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';

import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors';
import { validate } from './validate';

/** Default request body limit; ACS message content is at most 28 KB, so 64 KB leaves room for JSON and metadata. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface ReadBodyOptions {
  maxBytes?: number;
  /** When true an absent body is parsed as `{}` (for endpoints whose fields are all optional). */
  optional?: boolean;
}

/** Reads, size-checks and JSON-parses the request body, then validates it against `schema`. */
export async function readJsonBody<Schema extends z.ZodType>(
  request: HttpRequest,
  schema: Schema,
  options: ReadBodyOptions = {},
): Promise<z.infer<Schema>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const declaredLength = Number(request.headers.get('content-length') ?? '0');
  if (declaredLength > maxBytes) throw tooLarge(maxBytes);

  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);

  if (bytes.length === 0) {
    if (options.optional) return validate(schema, {}, 'body');
    throw new ValidationError('A JSON request body is required.', undefined, 'BodyRequired');
  }
  const contentType = request.headers.get('content-type');
  if (contentType && !/^application\/([\w.+-]*\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('The request body must be JSON (Content-Type: application/json).');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ValidationError('The request body is not valid JSON.', undefined, 'InvalidJson');
  }
  return validate(schema, parsed, 'body');
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The request body exceeds the limit of ${maxBytes} bytes.`);
}
