import * as z from 'zod';

import type { ServicesProvider } from '../composition';
import type { AppConfig } from '../config';
import { ServiceUnavailableError } from '../errors';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { httpHandler, ok } from '../http/handler';
import { escapeHtml } from '../notifications/email-content';
import { notificationSettingsBody, notificationSettingsSchema } from '../notifications/notification-schemas';
import type { FunctionDefinition, TimerFunctionDefinition } from './definition';

const unsubscribeQuery = z.object({ token: z.string().min(1).max(2000) });

/** The page a person sees: no script, no outside resources, nothing framed. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function requireNotifications<T>(value: T | undefined): T {
  if (value === undefined) throw new ServiceUnavailableError('Email notifications are not configured here.', 300);
  return value;
}

function page(status: number, title: string, body: string) {
  return {
    status,
    headers: PAGE_HEADERS,
    body:
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
      '<meta name="viewport" content="width=device-width"></head>' +
      `<body style="font-family:sans-serif;max-width:32em;margin:2em auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

/**
 * Away notifications: the caller's settings (`GET`/`PUT /api/me/notifications`), the one-click unsubscribe link
 * (`GET` shows a page, `POST` unsubscribes: RFC 8058; anonymous, the signed token names the one user it works for),
 * and the `sendAwayEmails` timer (only when EMAIL_SENDER is configured).
 */
export function notificationFunctions(config: AppConfig, services: ServicesProvider): FunctionDefinition[] {
  /**
   * The link needs no sign-in: its signed token names the one user it works for. Read by hand, so that a person who
   * opens a broken link gets a page, not a JSON error.
   */
  const unsubscribeRoute = (method: 'GET' | 'POST', name: string, summary: string): FunctionDefinition => ({
    kind: 'http',
    name,
    methods: [method],
    route: 'notifications/unsubscribe',
    doc: {
      summary,
      anonymous: true,
      query: unsubscribeQuery,
      responses: { 200: 'A page saying what happened', 400: 'A page: the link is not valid or has expired' },
      htmlPages: [200, 400],
    },
    handler: httpHandler(async ({ request }) => {
      const resolved = await services();
      const token = request.query.get('token') ?? '';
      const links = requireNotifications(resolved.unsubscribeLinks);
      const userId = unsubscribeQuery.safeParse({ token }).success ? await links.userOf(token) : undefined;
      if (!userId)
        return page(
          400,
          'This link does not work',
          '<p>The link is not valid or has expired. Change your email settings in the chat app instead.</p>',
        );
      if (method === 'POST') {
        await requireNotifications(resolved.notificationSettings).unsubscribe(userId);
        return page(200, 'Unsubscribed', '<p>You will get no more emails about unread messages.</p>');
      }
      return page(
        200,
        'Stop emails about unread messages?',
        `<form method="post" action="?token=${escapeHtml(encodeURIComponent(token))}">` +
          '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
          '<button type="submit">Unsubscribe</button></form>',
      );
    }),
  });
  const timer: TimerFunctionDefinition[] = config.notifications
    ? [
        {
          kind: 'timer',
          name: 'sendAwayEmails',
          schedule: config.notifications.schedule,
          handler: async (_timer, context) => {
            const { awayMailer } = await services();
            await awayMailer?.run(context);
          },
        },
      ]
    : [];
  return [
    ...timer,
    {
      kind: 'http',
      name: 'getNotificationSettings',
      methods: ['GET'],
      route: 'me/notifications',
      doc: {
        summary: "The caller's email notification settings",
        responses: { 200: 'The settings', 503: 'Email notifications are not configured' },
        responseBodies: { 200: notificationSettingsSchema },
      },
      handler: authenticatedHandler(services, async ({ caller, services: { notificationSettings } }) =>
        ok(await requireNotifications(notificationSettings).get(caller)),
      ),
    },
    {
      kind: 'http',
      name: 'putNotificationSettings',
      methods: ['PUT'],
      route: 'me/notifications',
      doc: {
        summary: "Change the caller's email notification settings (address null: back to the sign-in address)",
        body: notificationSettingsBody,
        responses: { 200: 'The settings', 503: 'Email notifications are not configured' },
        responseBodies: { 200: notificationSettingsSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, services: { notificationSettings } }) => {
        const settings = requireNotifications(notificationSettings);
        const body = await readJsonBody(request, notificationSettingsBody, { maxBytes: 2048 });
        return ok(await settings.put(caller, body));
      }),
    },
    unsubscribeRoute('GET', 'unsubscribePage', 'The unsubscribe link of an away email: a page with a button'),
    unsubscribeRoute(
      'POST',
      'unsubscribe',
      'Unsubscribe from away emails (the page\'s button, or a mail client\'s one-click "List-Unsubscribe=One-Click")',
    ),
  ];
}
