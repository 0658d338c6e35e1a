import type { z } from 'zod';

import { ValidationError } from '../errors';

/** Validates `input` against `schema`; failures become a ValidationError listing each problem. */
export function validate<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  where: 'body' | 'query' | 'path' | 'header',
): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.slice(0, 20).map((issue) => ({
    code: 'InvalidValue' as const,
    message: issue.message,
    target: [where, ...issue.path.map(String)].join('.'),
  }));
  throw new ValidationError(`The request ${where} is invalid.`, details);
}
