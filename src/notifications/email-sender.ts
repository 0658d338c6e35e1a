import { EmailClient } from '@azure/communication-email';
import type { TokenCredential } from '@azure/core-auth';
import type { CommonClientOptions } from '@azure/core-client';
import { isRestError } from '@azure/core-rest-pipeline';

import type { AcsConfig } from '../config';
import { retryAfterSeconds } from '../upstream-errors';

/** One email to one person, as the backend sends them. */
export interface OutgoingEmail {
  /** The Email API's `Operation-Id`: the same id never sends twice, so a retry after a lost answer is harmless. */
  operationId: string;
  to: { address: string; displayName?: string };
  subject: string;
  html: string;
  plainText: string;
  headers: Record<string, string>;
}

/** ACS Email asked us to wait (429, or 503 with Retry-After). */
export class EmailThrottled extends Error {
  override readonly name = 'EmailThrottled';
  constructor(readonly retryAfterSeconds: number) {
    super(`ACS Email asks to wait ${retryAfterSeconds} s`);
  }
}

export interface EmailSender {
  /** Resolves once ACS Email accepted the email (202); throws EmailThrottled, or the upstream error. */
  send(email: OutgoingEmail, sender: string): Promise<void>;
}

/**
 * ACS Email through the official client, on the ACS resource the app already uses (managed identity in Azure, the
 * connection string locally). It does not poll each email to the end: the status reads have their own, small hourly
 * limit, and an accepted email is ACS's to deliver.
 */
export function createEmailSender(
  acs: AcsConfig,
  credential: () => TokenCredential,
  options: CommonClientOptions,
): EmailSender {
  const client =
    acs.kind === 'connectionString'
      ? new EmailClient(acs.connectionString, options)
      : new EmailClient(acs.endpoint, credential(), options);
  return {
    send: async (email, sender) => {
      try {
        await client.beginSend(
          {
            senderAddress: sender,
            recipients: { to: [email.to] },
            content: { subject: email.subject, html: email.html, plainText: email.plainText },
            headers: email.headers,
            disableUserEngagementTracking: true,
          },
          { operationId: email.operationId },
        );
      } catch (error) {
        if (isRestError(error) && (error.statusCode === 429 || error.statusCode === 503))
          throw new EmailThrottled(retryAfterSeconds(error) ?? 60);
        throw error;
      }
    },
  };
}
