import * as z from 'zod';

import { UserTokenScope } from '../config';

export const issueTokenBody = z
  .object({
    scopes: z.array(UserTokenScope).min(1).max(5).optional(),
    expiresInMinutes: z.number().int().min(60).max(1440).optional(),
  })
  .strict();

export type IssueTokenBody = z.infer<typeof issueTokenBody>;

export const issuedTokenResponse = z
  .object({
    userId: z.string(),
    acsUserId: z.string(),
    token: z.string(),
    expiresOn: z.string(),
    scopes: z.array(UserTokenScope),
    endpoint: z.string(),
  })
  .meta({ id: 'IssuedToken' });

export type IssuedTokenResponse = z.infer<typeof issuedTokenResponse>;
