import type { FullOperationResponse, OperationOptions } from '@azure/core-client';

/**
 * The Chat SDK's update options are typed without null, yet its serializer sends a JavaScript null as is
 * (`"retentionPolicy":null`), which in a merge patch removes the member. These helpers let a test send that and
 * see exactly what went on the wire.
 */

export function withNulls<T>(options: { [K in keyof T]?: T[K] | null }): T {
  return options as unknown as T;
}

/** Runs an SDK call with an `onResponse` hook and returns the request body the SDK sent. */
export async function sentBody(call: (options: OperationOptions) => Promise<unknown>): Promise<unknown> {
  let body: unknown;
  await call({
    onResponse: (response: FullOperationResponse) => {
      body = response.request.body;
    },
  });
  return body;
}
