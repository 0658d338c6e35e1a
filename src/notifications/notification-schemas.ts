import * as z from 'zod';

/** How long after the first unread message an away user is emailed, by default and at most / at least. */
export const DEFAULT_DELAY_MINUTES = 15;
export const MIN_DELAY_MINUTES = 5;
export const MAX_DELAY_MINUTES = 1440;

const address = z.email({ message: 'must be an email address' }).max(254);

/** PUT /api/me/notifications */
export const notificationSettingsBody = z
  .object({
    email: z
      .object({
        enabled: z.boolean(),
        /** null: go back to the address of the sign-in token. */
        address: address.nullable().optional(),
        delayMinutes: z
          .number()
          .int('must be whole minutes')
          .min(MIN_DELAY_MINUTES, `must be at least ${MIN_DELAY_MINUTES} minutes`)
          .max(MAX_DELAY_MINUTES, `must be at most ${MAX_DELAY_MINUTES} minutes (a day)`)
          .optional(),
      })
      .strict(),
  })
  .strict();
export type NotificationSettingsBody = z.infer<typeof notificationSettingsBody>;

export const notificationSettingsSchema = z
  .object({
    email: z.object({
      enabled: z.boolean(),
      /** Where emails go: the address the user set, else the one their sign-in token carries; absent: none known. */
      address: z.string().optional(),
      /** `user` when the user set it, `token` when it comes from their sign-in. */
      addressSource: z.enum(['user', 'token']).optional(),
      delayMinutes: z.number().int(),
    }),
  })
  .meta({ id: 'NotificationSettings' });
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;
