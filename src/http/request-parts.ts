import type { HttpRequest } from '@azure/functions';
import * as z from 'zod';

import { validate } from './validate';

/** Path parameters, validated. */
export function pathParams<Schema extends z.ZodType>(request: HttpRequest, schema: Schema): z.infer<Schema> {
  return validate(schema, request.params, 'path');
}

/** Query parameters, validated; unknown parameters are ignored, repeated ones use the first value. */
export function queryParams<Schema extends z.ZodType>(request: HttpRequest, schema: Schema): z.infer<Schema> {
  const query: Record<string, string> = {};
  request.query.forEach((value, key) => {
    query[key] ??= value;
  });
  return validate(schema, query, 'query');
}

export const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be 1-255 visible ASCII characters');

/** The optional `Idempotency-Key` header. */
export function idempotencyKeyHeader(request: HttpRequest): string | undefined {
  const value = request.headers.get('idempotency-key');
  return value === null
    ? undefined
    : validate(z.object({ 'Idempotency-Key': idempotencyKey }), { 'Idempotency-Key': value }, 'header')[
        'Idempotency-Key'
      ];
}
