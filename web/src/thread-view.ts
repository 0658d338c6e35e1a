import { type ChatClient, type Message, pages, type Participant, unwrap } from '../../client';
import { h, replaceChildren } from './dom';
import { Poller } from './poller';
import type { Session } from './session';

const PAGE_SIZE = '30';
/** ACS allows 5 typing notifications per user per thread in 15 s; one per 5 s stays well inside. */
const TYPING_EVERY_MS = 5000;

/** One open thread: paged history (scroll back for older), new messages by polling, and its people. */
export class ThreadView {
  readonly element: HTMLElement;
  private readonly messages = new Map<string, Message>();
  private readonly list = h('div', { class: 'messages', role: 'log', 'aria-label': 'Messages', tabindex: '0' });
  private readonly people = h('div', { class: 'people' });
  private readonly status = h('p', { class: 'status', role: 'status' });
  private readonly input = h('textarea', { id: 'compose', 'aria-label': 'Message', placeholder: 'Write a message' });
  private readonly poller = new Poller(() => this.pollNew());
  private olderToken: string | undefined;
  private loadingOlder = false;
  /** The newest time the server stamped on anything seen (created, edited, deleted): the next poll's startTime. */
  private latest: string | undefined;
  private lastTypingAt = 0;
  private lastReceiptFor: string | undefined;
  private receipts = new Map<string, string>();
  /** Display names by user id, from the participant list. */
  private names = new Map<string, string>();

  constructor(
    private readonly client: ChatClient,
    private readonly session: Session,
    private readonly threadId: string,
    topic: string,
    private readonly onLeft: () => void,
  ) {
    const form = h(
      'form',
      { class: 'compose', 'aria-label': 'Send a message', onsubmit: (event: Event) => void this.onSend(event) },
      this.input,
      h('button', { type: 'submit', class: 'primary' }, 'Send'),
    );
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.input.addEventListener('input', () => void this.typing());
    this.list.addEventListener('scroll', () => {
      if (this.list.scrollTop < 40) void this.loadOlder();
    });
    this.element = h(
      'section',
      { class: 'thread', 'aria-label': `Thread ${topic}` },
      h(
        'div',
        { class: 'thread-head' },
        h('h2', {}, topic),
        this.people,
        h(
          'div',
          { class: 'people' },
          h('button', { type: 'button', onclick: () => void this.addParticipant() }, 'Add participant'),
          h('button', { type: 'button', onclick: () => void this.leave() }, 'Leave thread'),
        ),
      ),
      this.list,
      this.status,
      form,
    );
  }

  async open(): Promise<void> {
    const first = unwrap(
      await this.client.api.GET('/threads/{threadId}/messages', {
        params: { path: { threadId: this.threadId }, query: { maxPageSize: PAGE_SIZE } },
      }),
    );
    this.merge(first.items);
    this.olderToken = first.continuationToken;
    this.render(true);
    await this.refreshPeople();
    this.poller.start();
    window.addEventListener('focus', this.onFocus);
    this.input.focus();
  }

  close(): void {
    this.poller.stop();
    window.removeEventListener('focus', this.onFocus);
  }

  /** Coming back to the window: look for news now. */
  private readonly onFocus = (): void => this.poller.nudge();

  private async pollNew(): Promise<boolean> {
    const changed = [];
    for await (const page of pages((continuationToken) =>
      this.client.api.GET('/threads/{threadId}/messages', {
        params: {
          path: { threadId: this.threadId },
          query: {
            ...(this.latest ? { startTime: this.latest } : {}),
            ...(continuationToken ? { continuationToken } : {}),
          },
        },
      }),
    ))
      changed.push(...page.filter((message) => this.isChange(message)));
    this.merge(changed);
    const receiptsChanged = await this.refreshReceipts();
    if (changed.length > 0 || receiptsChanged) this.render(changed.length > 0);
    if (changed.some((message) => message.type === 'participantAdded' || message.type === 'participantRemoved'))
      await this.refreshPeople();
    await this.markRead();
    return changed.length > 0 || receiptsChanged;
  }

  private isChange(message: Message): boolean {
    const known = this.messages.get(message.id);
    return !known || known.version !== message.version || known.deletedOn !== message.deletedOn;
  }

  private merge(messages: Message[]): void {
    for (const message of messages) {
      this.messages.set(message.id, message);
      for (const stamp of [message.createdOn, message.editedOn, message.deletedOn])
        if (stamp && (!this.latest || stamp > this.latest)) this.latest = stamp;
    }
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
      this.merge(page.items);
      this.olderToken = page.continuationToken;
      this.render(false);
      this.list.scrollTop += this.list.scrollHeight - before;
    } finally {
      this.loadingOlder = false;
    }
  }

  private render(scrollToEnd: boolean): void {
    const ordered = [...this.messages.values()]
      .filter((message) => message.type === 'text' || message.type === 'html')
      .sort((a, b) => Number(a.sequenceId) - Number(b.sequenceId));
    const lastMine = ordered.filter((message) => this.isMine(message)).at(-1);
    replaceChildren(
      this.list,
      this.olderToken ? h('p', { class: 'status' }, 'Scroll up for older messages') : null,
      ...ordered.map((message) => this.messageElement(message, message === lastMine)),
    );
    if (scrollToEnd) this.list.scrollTop = this.list.scrollHeight;
  }

  private messageElement(message: Message, showReceipts: boolean): HTMLElement {
    const mine = this.isMine(message);
    const author = mine ? 'You' : (message.senderDisplayName ?? message.sender?.userId ?? 'Someone');
    const time = new Date(message.createdOn).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const deleted = Boolean(message.deletedOn);
    const seenBy = showReceipts
      ? [...this.receipts]
          .filter(([, messageId]) => Number(messageId) >= Number(message.id))
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
      h('div', { class: 'text' }, deleted ? 'Message deleted' : (message.content?.message ?? '')),
      seenBy.length > 0 ? h('div', { class: 'meta receipts' }, `Seen by ${seenBy.join(', ')}`) : null,
      mine && !deleted
        ? h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', onclick: () => void this.edit(message) }, 'Edit'),
            h('button', { type: 'button', onclick: () => void this.remove(message) }, 'Delete'),
          )
        : null,
    );
  }

  private isMine(message: Message): boolean {
    return message.sender?.userId === this.session.userId;
  }

  private async onSend(event: Event): Promise<void> {
    event.preventDefault();
    const content = this.input.value.trim();
    if (!content) return;
    await this.act(async () => {
      unwrap(
        await this.client.api.POST('/threads/{threadId}/messages', {
          params: { path: { threadId: this.threadId } },
          body: { content, senderDisplayName: this.session.displayName },
        }),
      );
      this.input.value = '';
    });
  }

  private async edit(message: Message): Promise<void> {
    const content = prompt('Edit your message', message.content?.message ?? '');
    if (content === null || !content.trim()) return;
    await this.act(async () => {
      const updated = unwrap(
        await this.client.api.PATCH('/threads/{threadId}/messages/{messageId}', {
          params: { path: { threadId: this.threadId, messageId: message.id } },
          body: { content: content.trim() },
        }),
      );
      this.merge([updated]);
      this.render(false);
    });
  }

  private async remove(message: Message): Promise<void> {
    if (!confirm('Delete this message?')) return;
    await this.act(async () => {
      unwrap(
        await this.client.api.DELETE('/threads/{threadId}/messages/{messageId}', {
          params: { path: { threadId: this.threadId, messageId: message.id } },
        }),
      );
    });
  }

  private async typing(): Promise<void> {
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

  /** Reads up to the newest message from someone else. */
  private async markRead(): Promise<void> {
    const newest = [...this.messages.values()]
      .filter((message) => !this.isMine(message) && (message.type === 'text' || message.type === 'html'))
      .sort((a, b) => Number(b.sequenceId) - Number(a.sequenceId))[0];
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
        if (!known || Number(receipt.messageId) > Number(known)) latest.set(receipt.userId, receipt.messageId);
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
      this.onLeft();
    });
  }

  /** Runs a user action, shows what went wrong, and polls soon after. */
  private async act(action: () => Promise<void>): Promise<void> {
    this.status.textContent = '';
    this.status.classList.remove('error');
    try {
      await action();
      this.poller.nudge();
    } catch (error) {
      this.status.textContent = error instanceof Error ? error.message : String(error);
      this.status.classList.add('error');
    }
  }
}
