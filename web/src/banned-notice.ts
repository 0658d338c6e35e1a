import type { ApiErrorBody, ChatClient } from '../../client';
import { h } from './dom';

/**
 * Calls `onBanned` (once) with the API's explanation the first time any call answers 403 UserBanned: a ban refuses
 * every route, so the page stops and says so rather than showing each failure where it happened.
 */
export function watchForBan(client: ChatClient, onBanned: (message: string) => void): void {
  let told = false;
  client.api.use({
    async onResponse({ response }) {
      if (told || response.status !== 403) return undefined;
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as ApiErrorBody | undefined;
      if (body?.error.code !== 'UserBanned') return undefined;
      told = true;
      onBanned(body.error.message);
      return undefined;
    },
  });
}

/** What a banned user sees instead of the chat: why (reason and end, as the API words them), and what they can do. */
export function bannedNotice(message: string, actions: { tryAgain: () => void; signOut: () => void }): HTMLElement {
  return h(
    'section',
    { class: 'notice-page', role: 'alert', 'aria-label': 'Banned' },
    h('h1', {}, 'You are banned from this chat'),
    h('p', {}, message),
    h('p', {}, 'A moderator banned your account: you cannot read or send messages until the ban ends or is lifted.'),
    h(
      'p',
      { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: actions.tryAgain }, 'Try again'),
      h('button', { type: 'button', onclick: actions.signOut }, 'Sign out'),
    ),
  );
}
