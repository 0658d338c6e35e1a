import { isRestError } from '@azure/core-rest-pipeline';

export function isStatus(error: unknown, ...statuses: number[]): boolean {
  return isRestError(error) && error.statusCode !== undefined && statuses.includes(error.statusCode);
}

export const isNotFound = (error: unknown): boolean => isStatus(error, 404);
export const isConflict = (error: unknown): boolean => isStatus(error, 409);
export const isPreconditionFailed = (error: unknown): boolean => isStatus(error, 412);

/** An upstream error's HTTP status for logs: undefined when no answer came (network, timeout) or not an SDK error. */
export function statusOf(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}
