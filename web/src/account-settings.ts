import { type ChatClient, type Schemas, unwrap } from '../../client';
import { checkbox, h } from './dom';
import { StatusLine } from './status-line';

type ExportPage = Schemas['ExportPage'];
type ExportedThread = ExportPage['threads'][number];
type Erasure = Schemas['Erasure'];

/** The name of the file "Download my data" saves. */
export const EXPORT_FILE_NAME = 'my-chat-data.json';

/**
 * The signed-in user's account: "Download my data" (every page of `GET /api/me/export`, saved as one JSON file) and
 * "Delete my account" (a confirmation that says what happens, then `DELETE /api/me`). The chat stops first (nothing it
 * polls may bring the account back meanwhile); once the erasure is recorded, `erased` takes over the page.
 */
export class AccountSettingsPanel {
  readonly element: HTMLElement;
  private readonly heading = h('h2', { tabindex: '-1' }, 'Account');
  private readonly downloadStatus = new StatusLine();
  private readonly download = h('button', { type: 'button', class: 'primary' }, 'Download my data');
  private readonly deleteStatus = new StatusLine();
  private readonly askDelete = h('button', { type: 'button', class: 'danger' }, 'Delete my account…');
  private readonly deleteMessages = h('input', { name: 'deleteMessages' });
  private readonly confirmHeading = h('h4', { tabindex: '-1' }, 'Delete your account?');
  private readonly confirmation: HTMLElement;

  constructor(
    private readonly client: ChatClient,
    private readonly hooks: { stopChat: () => void; erased: (erasureId: string) => void },
  ) {
    this.download.addEventListener('click', () => void this.runDownload());
    this.askDelete.addEventListener('click', () => this.showConfirmation(true));
    const confirm = h(
      'button',
      { type: 'button', class: 'danger', onclick: () => void this.deleteStatus.run(() => this.erase()) },
      'Yes, delete my account',
    );
    const cancel = h('button', { type: 'button', onclick: () => this.showConfirmation(false) }, 'Cancel');
    this.confirmation = h(
      'div',
      {
        class: 'confirmation',
        role: 'group',
        'aria-label': 'Confirm account deletion',
        hidden: true,
        onkeydown: (event: Event) => {
          if ((event as KeyboardEvent).key === 'Escape') this.showConfirmation(false);
        },
      },
      this.confirmHeading,
      h(
        'ul',
        {},
        h('li', {}, 'Your account is erased: your chat identity, settings, read marks, uploads and reports you made.'),
        h('li', {}, 'You leave every thread. A thread you own with nobody else in it is deleted.'),
        h(
          'li',
          {},
          'Messages you sent stay in their threads for the other people in them, unless you tick the box below.',
        ),
        h('li', {}, h('strong', {}, 'This cannot be undone.'), ' Download your data first if you want a copy.'),
      ),
      checkbox('Also delete every message I sent', this.deleteMessages),
      h('p', { class: 'actions' }, confirm, cancel),
    );
    this.element = h(
      'section',
      { class: 'review', 'aria-label': 'Account' },
      this.heading,
      h(
        'div',
        { class: 'review-section', role: 'group', 'aria-label': 'Your data' },
        h('div', { class: 'section-head' }, h('h3', {}, 'Your data')),
        h(
          'p',
          { class: 'meta' },
          `Your profile, settings, threads and the messages you sent, in one file (${EXPORT_FILE_NAME}).`,
        ),
        h('p', { class: 'actions' }, this.download),
        this.downloadStatus.element,
      ),
      h(
        'div',
        { class: 'review-section', role: 'group', 'aria-label': 'Delete account' },
        h('div', { class: 'section-head' }, h('h3', {}, 'Delete my account')),
        h('p', { class: 'actions' }, this.askDelete),
        this.confirmation,
        this.deleteStatus.element,
      ),
    );
  }

  /** Moves the focus to the panel's heading (it replaced what was shown). */
  open(): void {
    this.heading.focus();
  }

  private async runDownload(): Promise<void> {
    this.download.disabled = true;
    try {
      await this.downloadStatus.run(async () => {
        this.downloadStatus.say('Preparing your data…');
        const data = await exportAll(this.client, (threads) =>
          this.downloadStatus.say(`${threads} ${threads === 1 ? 'thread' : 'threads'}…`),
        );
        save(JSON.stringify(data, null, 2), EXPORT_FILE_NAME);
        const count = data.threads.length;
        this.downloadStatus.say(`Downloaded ${EXPORT_FILE_NAME}: ${count} ${count === 1 ? 'thread' : 'threads'}.`);
      });
    } finally {
      this.download.disabled = false;
    }
  }

  private showConfirmation(shown: boolean): void {
    this.confirmation.hidden = !shown;
    this.askDelete.hidden = shown;
    this.deleteStatus.say('');
    if (shown) this.confirmHeading.focus();
    else {
      this.deleteMessages.checked = false;
      this.askDelete.focus();
    }
  }

  private async erase(): Promise<void> {
    this.deleteStatus.say('Deleting your account…');
    this.hooks.stopChat();
    const result = await this.client.api.DELETE('/me', {
      params: { query: { deleteMessages: this.deleteMessages.checked ? 'true' : 'false' } },
    });
    this.hooks.erased(unwrap(result).erasureId);
  }
}

/** Every page of the caller's export, in one object: a thread continued over several pages is one thread. */
export async function exportAll(
  client: ChatClient,
  progress: (threads: number) => void,
): Promise<Omit<ExportPage, 'continuationToken'>> {
  const threads = new Map<string, ExportedThread>();
  let first: ExportPage | undefined;
  let continuationToken: string | undefined;
  do {
    const page = unwrap(
      await client.api.GET('/me/export', { params: { query: continuationToken ? { continuationToken } : {} } }),
    );
    first ??= page;
    for (const thread of page.threads) {
      const seen = threads.get(thread.threadId);
      if (seen) seen.messages.push(...thread.messages);
      else threads.set(thread.threadId, { ...thread, messages: [...thread.messages] });
    }
    progress(threads.size);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  const { exportedOn, user, notifications } = first;
  return {
    exportedOn,
    ...(user ? { user } : {}),
    ...(notifications ? { notifications } : {}),
    threads: [...threads.values()],
  };
}

/** Saves `text` as a download named `fileName`, through an object URL (no data leaves the browser). */
function save(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; it may go once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * What an erased user sees instead of the chat (already signed out): that the account is being erased, the erasure's
 * state from `GET /api/users/{userId}/erasure` (checked again on request, with the token this page still holds), and
 * a way back to the sign-in page.
 */
export function erasingNotice(client: ChatClient, userId: string, done: () => void): HTMLElement {
  const state = new StatusLine();
  const check = (): Promise<void> =>
    state.run(async () => {
      state.say('Checking…');
      const result = await client.api.GET('/users/{userId}/erasure', { params: { path: { userId } } });
      state.say(erasureText(unwrap(result)));
    });
  const heading = h('h1', { tabindex: '-1' }, 'Your account is being erased');
  const notice = h(
    'section',
    { class: 'notice-page', 'aria-label': 'Account erasure' },
    heading,
    h('p', {}, 'You are signed out. Your account and your data are being erased; this cannot be undone.'),
    state.element,
    h(
      'p',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => void check() }, 'Check again'),
      h('button', { type: 'button', class: 'primary', onclick: done }, 'Back to sign-in'),
    ),
  );
  queueMicrotask(() => heading.focus());
  void check();
  return notice;
}

function erasureText(erasure: Erasure): string {
  if (erasure.status === 'finished') return 'Erasure finished: your account and data are gone.';
  const done = erasure.stepsDone.length;
  const total = done + erasure.stepsPending.length;
  return `Erasure running: ${done} of ${total} steps done.`;
}
