import { type ChatClient, pages, type Participant, unwrap } from '../../client';
import type { LiveUpdate } from '../../client/live';
import { acceptFiles, attachmentElements, AttachmentLinks, PendingUploads } from './attachments';
import { h, replaceChildren } from './dom';
import type { FeedState, LiveFeed } from './live-feed';
import { isMessageRejection, type MessageRejections } from './message-rejections';
import { MessageStore, type ShownMessage, shownMessage } from './message-store';
import { Poller } from './poller';
import { errorText, inParentheses, type RefusableAction } from './refusals';
import { reportMessage } from './report-action';
import type { Session } from './session';
import { TypingIndicator } from './typing-indicator';

const PAGE_SIZE = '30';
/** ACS allows 5 typing notifications per user per thread in 15 s; one per 5 s stays well inside. */
const TYPING_EVERY_MS = 5000;

/**
 * One open thread: paged history (scroll back for older), then every change live (messages, edits, deletions, who is
 * typing, read receipts, people); polling for news only while the page has no live connection.
 */
export class ThreadView {
  readonly element: HTMLElement;
  private readonly store = new MessageStore();
  private readonly list = h('div', { class: 'messages', role: 'log', 'aria-label': 'Messages', tabindex: '0' });
  private readonly people = h('div', { class: 'people' });
  private readonly heading: HTMLHeadingElement;
  private readonly typingLine = h('p', { class: 'status typing', 'aria-live': 'polite' });
  private readonly status = h('p', { class: 'status', role: 'status' });
  private readonly input = h('textarea', { id: 'compose', 'aria-label': 'Message', placeholder: 'Write a message' });
  private readonly uploads: PendingUploads;
  private readonly links: AttachmentLinks;
  private readonly poller = new Poller(() => this.catchUp());
  private readonly typing = new TypingIndicator((text) => (this.typingLine.textContent = text));
  private readonly stopListening: () => void;
  private olderToken: string | undefined;
  private loadingOlder = false;
  private closed = false;
  private lastTypingAt = 0;
  private lastReceiptFor: string | undefined;
  /** The newest message each other participant has read. */
  private receipts = new Map<string, string>();
  /** Display names by user id, from the participant list. */
  private names = new Map<string, string>();
  /** Messages the user reported while this thread was open (the Report action becomes "Reported"). */
  private readonly reported = new Set<string>();

  constructor(
    private readonly client: ChatClient,
    private readonly session: Session,
    private readonly feed: LiveFeed,
    private readonly rejections: MessageRejections,
    private readonly threadId: string,
    topic: string,
    private readonly onGone: (why: string) => void,
  ) {
    this.uploads = new PendingUploads(client, threadId);
    this.links = new AttachmentLinks(client, threadId);
    const picker = h('input', { type: 'file', multiple: true, class: 'visually-hidden', tabindex: '-1' });
    picker.setAttribute('aria-hidden', 'true');
    picker.addEventListener('change', () => {
      this.uploads.add([...(picker.files ?? [])]);
      picker.value = '';
    });
    const form = h(
      'form',
      { class: 'compose', 'aria-label': 'Send a message', onsubmit: (event: Event) => void this.onSend(event) },
      this.input,
      picker,
      h('button', { type: 'button', onclick: () => picker.click() }, 'Attach files'),
      h('button', { type: 'submit', class: 'primary' }, 'Send'),
    );
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.input.addEventListener('input', () => void this.sendTyping());
    this.list.addEventListener('scroll', () => {
      if (this.list.scrollTop < 40) void this.loadOlder();
    });
    this.heading = h('h2', {}, topic);
    this.element = h(
      'section',
      { class: 'thread', 'aria-label': `Thread ${topic}` },
      h(
        'div',
        { class: 'thread-head' },
        this.heading,
        this.people,
        h(
          'div',
          { class: 'people' },
          h('button', { type: 'button', onclick: () => void this.addParticipant() }, 'Add participant'),
          h('button', { type: 'button', onclick: () => void this.leave() }, 'Leave thread'),
        ),
      ),
      this.list,
      this.typingLine,
      this.status,
      this.uploads.element,
      form,
    );
    // Drop files anywhere on the thread, or paste an image into it.
    acceptFiles(this.element, (files) => this.uploads.add(files));
    this.stopListening = feed.listen({
      update: (update) => {
        if (update.threadId === this.threadId) void this.onLive(update);
      },
      resync: () => void this.catchUp(),
      state: (state) => this.onFeedState(state),
    });
  }

  async open(): Promise<void> {
    const first = unwrap(
      await this.client.api.GET('/threads/{threadId}/messages', {
        params: { path: { threadId: this.threadId }, query: { maxPageSize: PAGE_SIZE } },
      }),
    );
    this.store.merge(first.items.map(shownMessage));
    this.olderToken = first.continuationToken;
    await Promise.all([this.refreshPeople(), this.refreshReceipts()]);
    this.render(true);
    this.tellRejections();
    await this.markRead();
    this.onFeedState(this.feed.state);
    window.addEventListener('focus', this.onFocus);
    this.input.focus();
  }

  close(): void {
    this.closed = true;
    this.poller.stop();
    this.typing.clear();
    this.stopListening();
    window.removeEventListener('focus', this.onFocus);
  }

  /** Coming back to the window: read what arrived meanwhile (and, without a socket, look for news now). */
  private readonly onFocus = (): void => {
    if (this.feed.live) void this.markRead();
    else this.poller.nudge();
  };

  private onFeedState(state: FeedState): void {
    if (this.closed) return;
    if (state === 'polling') this.poller.start();
    else this.poller.stop();
  }

  private async onLive(update: LiveUpdate): Promise<void> {
    if (this.closed) return;
    if (isMessageRejection(update)) {
      this.tellRejections();
      this.render(false);
      return;
    }
    switch (update.type) {
      case 'messageCreated':
      case 'messageEdited':
      case 'messageDeleted': {
        const created = update.type === 'messageCreated' && !this.store.get(update.message.id);
        if (this.store.merge([update.message]).length === 0) return;
        const from = update.message.sender?.userId;
        if (created && from) this.typing.stopped(from);
        this.render(created && this.nearEnd());
        if (created && from !== this.session.userId) await this.markRead();
        return;
      }
      case 'typing':
        if (update.from.userId && update.from.userId !== this.session.userId)
          this.typing.started(
            update.from.userId,
            update.senderDisplayName ?? this.names.get(update.from.userId) ?? update.from.userId,
          );
        return;
      case 'readReceipt':
        if (update.from.userId && update.from.userId !== this.session.userId) {
          const known = this.receipts.get(update.from.userId);
          if (known && BigInt(known) >= BigInt(update.messageId)) return;
          this.receipts.set(update.from.userId, update.messageId);
          this.render(false);
        }
        return;
      case 'participantAdded':
      case 'participantRemoved':
        if (update.type === 'participantRemoved' && update.participant.userId === this.session.userId) {
          this.close();
          this.onGone('You were removed from the thread.');
        } else await this.refreshPeople();
        return;
      case 'threadUpdated':
        this.heading.textContent = update.topic;
        return;
      case 'threadDeleted':
        this.close();
        this.onGone('The thread was deleted.');
        return;
      case 'threadCreated':
      case 'inboxChanged':
        return; // The inbox list's business.
    }
  }

  /** Without a socket (every poll), or after one was replaced: what changed since the newest change seen. */
  private async catchUp(): Promise<boolean> {
    if (this.closed) return false;
    const fetched: ShownMessage[] = [];
    for await (const page of pages((continuationToken) =>
      this.client.api.GET('/threads/{threadId}/messages', {
        params: {
          path: { threadId: this.threadId },
          query: {
            ...(this.store.latest ? { startTime: this.store.latest } : {}),
            ...(continuationToken ? { continuationToken } : {}),
          },
        },
      }),
    ))
      fetched.push(...page.map(shownMessage));
    const changed = this.store.merge(fetched);
    const receiptsChanged = await this.refreshReceipts();
    if (changed.length > 0 || receiptsChanged) this.render(changed.length > 0);
    if (changed.some((message) => message.type === 'participantAdded' || message.type === 'participantRemoved'))
      await this.refreshPeople();
    await this.markRead();
    return changed.length > 0 || receiptsChanged;
  }

  private nearEnd(): boolean {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
  }

  private async loadOlder(): Promise<void> {
    if (!this.olderToken || this.loadingOlder) return;
    this.loadingOlder = true;
    try {
      const page = unwrap(
        await this.client.api.GET('/threads/{threadId}/messages', {
          params: { path: { threadId: this.threadId }, query: { continuationToken: this.olderToken } },
        }),
      );
      const before = this.list.scrollHeight;
      this.store.merge(page.items.map(shownMessage));
      this.olderToken = page.continuationToken;
      this.render(false);
      this.list.scrollTop += this.list.scrollHeight - before;
    } finally {
      this.loadingOlder = false;
    }
  }

  private render(scrollToEnd: boolean): void {
    const ordered = this.store.chat();
    const lastMine = ordered.filter((message) => this.isMine(message)).at(-1);
    replaceChildren(
      this.list,
      this.olderToken ? h('p', { class: 'status' }, 'Scroll up for older messages') : null,
      ...ordered.map((message) => this.messageElement(message, message === lastMine)),
    );
    if (scrollToEnd) this.list.scrollTop = this.list.scrollHeight;
  }

  private messageElement(message: ShownMessage, showReceipts: boolean): HTMLElement {
    const mine = this.isMine(message);
    const author = mine ? 'You' : (message.senderDisplayName ?? message.sender?.userId ?? 'Someone');
    const time = new Date(message.createdOn).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const rejection = this.rejections.of(this.threadId, message.id);
    // A rejected message is deleted in ACS before its sender is told, but the deletion reaches the page through an
    // event of its own, often later: shown removed from the notice on, never as still there.
    const deleted = Boolean(message.deletedOn) || rejection !== undefined;
    const deletedText = rejection ? `Removed by moderation${inParentheses(rejection.categories)}` : 'Message deleted';
    const seenBy = showReceipts
      ? [...this.receipts]
          .filter(([, messageId]) => BigInt(messageId) >= BigInt(message.id))
          .map(([userId]) => this.names.get(userId) ?? userId)
      : [];
    return h(
      'article',
      {
        class: `message${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}`,
        'data-message-id': message.id,
        'aria-label': `${author} at ${time}`,
      },
      h('div', { class: 'meta' }, `${author} · ${time}${message.editedOn && !deleted ? ' · edited' : ''}`),
      // Shown as text: HTML messages are not interpreted, so nothing in a message can run.
      h('div', { class: 'text' }, deleted ? deletedText : (message.content?.message ?? '')),
      !deleted && message.attachments?.length ? attachmentElements(this.links, message.attachments) : null,
      seenBy.length > 0 ? h('div', { class: 'meta receipts' }, `Seen by ${seenBy.join(', ')}`) : null,
      mine && !deleted
        ? h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', onclick: () => void this.edit(message) }, 'Edit'),
            h('button', { type: 'button', onclick: () => void this.remove(message) }, 'Delete'),
          )
        : null,
      !mine && !deleted ? this.reportAction(message, author) : null,
    );
  }

  /** Report, on someone else's message; once reported here, says so instead. */
  private reportAction(message: ShownMessage, author: string): HTMLElement {
    if (this.reported.has(message.id)) return h('div', { class: 'meta' }, 'Reported');
    return h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            void this.act(async () => {
              const outcome = await reportMessage(this.client, {
                threadId: this.threadId,
                messageId: message.id,
                author,
              });
              if (!outcome) return;
              this.reported.add(message.id);
              this.render(false);
              this.status.textContent = outcome;
            }),
        },
        'Report',
      ),
    );
  }

  /** Says in the status line which of the user's messages moderation removed (each once). */
  private tellRejections(): void {
    const untold = this.rejections.untold(this.threadId);
    if (untold.length === 0) return;
    this.status.textContent = untold
      .map((rejection) => `Your message was removed by moderation${inParentheses(rejection.categories)}.`)
      .join(' ');
    this.status.classList.add('error');
  }

  private isMine(message: ShownMessage): boolean {
    return message.sender?.userId === this.session.userId;
  }

  private async onSend(event: Event): Promise<void> {
    event.preventDefault();
    const files = this.uploads.count;
    const content = this.input.value.trim() || this.uploads.names().join(', ');
    if (!content) return;
    await this.act(async () => {
      const attachments = files > 0 ? await this.uploads.ids() : [];
      const sent = await this.client.api.POST('/threads/{threadId}/messages', {
        params: { path: { threadId: this.threadId } },
        body: {
          content,
          senderDisplayName: this.session.displayName,
          ...(attachments.length > 0 ? { attachments } : {}),
        },
      });
      // A file the backend refused (too large, not what it claims) is deleted there: drop them all from the form.
      if (sent.error?.error.code.startsWith('Attachment')) this.uploads.clear();
      const accepted = unwrap(sent);
      this.input.value = '';
      this.uploads.clear();
      // Shown at once; the live update (or the next poll) replaces it with ACS's own copy (any version is newer).
      this.store.merge([
        {
          id: accepted.id,
          type: 'text',
          version: '0',
          content: { message: content },
          senderDisplayName: this.session.displayName,
          sender: { userId: this.session.userId, acsUserId: '' },
          createdOn: new Date().toISOString(),
        },
      ]);
      this.render(true);
      // Accepted while the content checks could not answer: checked later, and possibly removed then.
      if (accepted.moderation === 'pending')
        this.status.textContent = 'Sent. It will be checked by moderation shortly, and removed if it breaks the rules.';
    }, 'send');
  }

  private async edit(message: ShownMessage): Promise<void> {
    const content = prompt('Edit your message', message.content?.message ?? '');
    if (content === null || !content.trim()) return;
    await this.act(async () => {
      const updated = unwrap(
        await this.client.api.PATCH('/threads/{threadId}/messages/{messageId}', {
          params: { path: { threadId: this.threadId, messageId: message.id } },
          body: { content: content.trim() },
        }),
      );
      this.store.merge([shownMessage(updated)]);
      this.render(false);
    }, 'edit');
  }

  private async remove(message: ShownMessage): Promise<void> {
    if (!confirm('Delete this message?')) return;
    await this.act(async () => {
      unwrap(
        await this.client.api.DELETE('/threads/{threadId}/messages/{messageId}', {
          params: { path: { threadId: this.threadId, messageId: message.id } },
        }),
      );
      this.store.merge([{ ...message, deletedOn: new Date().toISOString() }]);
      this.render(false);
    });
  }

  private async sendTyping(): Promise<void> {
    if (Date.now() - this.lastTypingAt < TYPING_EVERY_MS) return;
    this.lastTypingAt = Date.now();
    // Best effort: a refused typing notification is not worth telling anyone about.
    await this.client.api
      .POST('/threads/{threadId}/typing', {
        params: { path: { threadId: this.threadId } },
        body: { senderDisplayName: this.session.displayName },
      })
      .catch(() => undefined);
  }

  /** Reads up to the newest message from someone else (only while the page is in view). */
  private async markRead(): Promise<void> {
    const newest = this.store
      .chat()
      .filter((message) => !this.isMine(message))
      .at(-1);
    if (!newest || newest.id === this.lastReceiptFor || document.visibilityState !== 'visible') return;
    this.lastReceiptFor = newest.id;
    unwrap(
      await this.client.api.POST('/threads/{threadId}/read-receipts', {
        params: { path: { threadId: this.threadId } },
        body: { messageId: newest.id },
      }),
    );
  }

  private async refreshReceipts(): Promise<boolean> {
    const latest = new Map<string, string>();
    for await (const page of pages((continuationToken) =>
      this.client.api.GET('/threads/{threadId}/read-receipts', {
        params: { path: { threadId: this.threadId }, query: continuationToken ? { continuationToken } : {} },
      }),
    ))
      for (const receipt of page) {
        if (receipt.userId === this.session.userId || !receipt.userId) continue;
        const known = latest.get(receipt.userId);
        if (!known || BigInt(receipt.messageId) > BigInt(known)) latest.set(receipt.userId, receipt.messageId);
      }
    const changed = JSON.stringify([...latest]) !== JSON.stringify([...this.receipts]);
    this.receipts = latest;
    return changed;
  }

  private async refreshPeople(): Promise<void> {
    const participants: Participant[] = [];
    for await (const page of pages((continuationToken) =>
      this.client.api.GET('/threads/{threadId}/participants', {
        params: { path: { threadId: this.threadId }, query: continuationToken ? { continuationToken } : {} },
      }),
    ))
      participants.push(...page);
    this.names = new Map(
      participants.flatMap((person) => (person.userId ? [[person.userId, person.displayName ?? person.userId]] : [])),
    );
    replaceChildren(
      this.people,
      h('span', {}, 'People:'),
      h(
        'ul',
        { 'aria-label': 'Participants' },
        ...participants.map((participant) => {
          const name = participant.displayName ?? participant.userId ?? participant.acsUserId;
          const userId = participant.userId;
          return h(
            'li',
            {},
            name,
            userId && userId !== this.session.userId
              ? h(
                  'button',
                  {
                    type: 'button',
                    'aria-label': `Remove ${name}`,
                    onclick: () => void this.removeParticipant(userId),
                  },
                  '×',
                )
              : null,
          );
        }),
      ),
    );
  }

  private async addParticipant(): Promise<void> {
    const userId = prompt('Add who? (user name)')?.trim();
    if (!userId) return;
    await this.act(async () => {
      const result = unwrap(
        await this.client.api.POST('/threads/{threadId}/participants', {
          params: { path: { threadId: this.threadId } },
          body: { participants: [{ userId }] },
        }),
      );
      const failure = result.failed[0];
      if (failure) throw new Error(`${failure.userId}: ${failure.error.message}`);
      await this.refreshPeople();
    });
  }

  private async removeParticipant(userId: string): Promise<void> {
    if (!confirm(`Remove ${userId} from this thread?`)) return;
    await this.act(async () => {
      unwrap(
        await this.client.api.DELETE('/threads/{threadId}/participants/{userId}', {
          params: { path: { threadId: this.threadId, userId } },
        }),
      );
      await this.refreshPeople();
    });
  }

  private async leave(): Promise<void> {
    if (!confirm('Leave this thread?')) return;
    await this.act(async () => {
      unwrap(
        await this.client.api.DELETE('/threads/{threadId}/participants/{userId}', {
          params: { path: { threadId: this.threadId, userId: this.session.userId } },
        }),
      );
      this.close();
      this.onGone('You left the thread.');
    });
  }

  /**
   * Runs a user action and shows what went wrong (a content refusal in plain words when `refusable` names what the
   * user was doing); without a socket, polls soon after.
   */
  private async act(action: () => Promise<void>, refusable?: RefusableAction): Promise<void> {
    this.status.textContent = '';
    this.status.classList.remove('error');
    try {
      await action();
      if (!this.feed.live) this.poller.nudge();
    } catch (error) {
      this.status.textContent = errorText(error, refusable);
      this.status.classList.add('error');
    }
  }
}
