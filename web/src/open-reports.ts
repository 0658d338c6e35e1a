import { ApiError, type ChatClient, type Schemas, unwrap } from '../../client';
import { dateTimeText } from './dates';
import { field, h, replaceChildren } from './dom';
import { REPORT_REASONS } from './report-action';
import { StatusLine } from './status-line';

type Report = Schemas['Report'];
type Resolution = NonNullable<Report['resolution']>;

const PAGE_SIZE = 20;

/** The ways to resolve a report, in the order offered, each with what the admin is told once it is done. */
const ACTIONS: Array<{ action: Resolution['action']; label: string; done: (resolution: Resolution) => string }> = [
  { action: 'dismiss', label: 'Dismiss', done: () => 'Dismissed: nothing was changed.' },
  { action: 'deleteMessage', label: 'Delete message', done: (resolution) => deletedText(resolution) },
  {
    action: 'removeSender',
    label: 'Remove sender',
    done: (resolution) => `${deletedText(resolution)} The sender was removed from the thread.`,
  },
  {
    action: 'banSender',
    label: 'Ban sender',
    done: (resolution) => `${deletedText(resolution)} The sender is banned.`,
  },
];

function deletedText(resolution: Resolution): string {
  return resolution.messageDeleted === false
    ? 'The message could not be deleted (its sender had left the thread).'
    : 'The message is deleted.';
}

/**
 * Open reports, oldest first, with the message as it was when reported (the snapshot outlives the message), and the
 * actions that resolve each. A resolved report leaves the list.
 */
export class OpenReports {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'reports', 'aria-label': 'Open reports' });
  private readonly status = new StatusLine();
  private readonly more = h('button', { type: 'button', hidden: true }, 'Show more reports');
  private reports: Report[] = [];
  private continuationToken: string | undefined;

  constructor(
    private readonly client: ChatClient,
    /** After a report was resolved (a ban or an audit entry may be new). */
    private readonly onResolved: () => void,
  ) {
    this.more.addEventListener('click', () => void this.status.run(() => this.loadPage(this.continuationToken)));
    this.element = h(
      'section',
      { class: 'review-section', 'aria-label': 'Reports' },
      h(
        'div',
        { class: 'section-head' },
        h('h3', {}, 'Open reports'),
        h('button', { type: 'button', onclick: () => void this.refresh() }, 'Refresh reports'),
      ),
      this.status.element,
      this.list,
      this.more,
    );
  }

  async refresh(): Promise<void> {
    this.reports = [];
    await this.status.run(() => this.loadPage(undefined));
  }

  private async loadPage(continuationToken: string | undefined): Promise<void> {
    const page = unwrap(
      await this.client.api.GET('/moderation/reports', {
        params: {
          query: { status: 'open', maxPageSize: PAGE_SIZE, ...(continuationToken ? { continuationToken } : {}) },
        },
      }),
    );
    this.reports.push(...page.items.filter((report) => !this.reports.some((known) => known.id === report.id)));
    this.continuationToken = page.continuationToken;
    this.render();
  }

  private render(): void {
    replaceChildren(
      this.list,
      ...(this.reports.length > 0
        ? this.reports.map((report) => this.reportElement(report))
        : [h('li', { class: 'status' }, 'No open reports.')]),
    );
    this.more.hidden = !this.continuationToken;
  }

  private reportElement(report: Report): HTMLElement {
    const { message } = report;
    const sender = message.senderDisplayName ?? message.senderUserId ?? 'Someone';
    const files = message.attachmentIds?.length ?? 0;
    const note = h('input', { name: 'resolutionNote', maxlength: '1000' });
    return h(
      'li',
      { class: 'report', 'aria-label': `Report of ${sender}'s message` },
      h(
        'div',
        { class: 'meta' },
        `${REPORT_REASONS[report.reason]} · reported by ${report.reporter} · ${dateTimeText(report.filedOn)}`,
      ),
      h(
        'div',
        { class: 'meta' },
        `${sender}${message.senderUserId && message.senderUserId !== sender ? ` (${message.senderUserId})` : ''} ` +
          `wrote at ${dateTimeText(message.createdOn)} in thread ${report.threadId}:`,
      ),
      // As text, like every message: a snapshot can be anything its sender typed.
      h('blockquote', { class: 'snapshot' }, message.content ?? '(no text)'),
      files > 0 ? h('div', { class: 'meta' }, `${files} attachment${files === 1 ? '' : 's'}`) : null,
      report.note ? h('div', { class: 'meta' }, `Reporter's note: ${report.note}`) : null,
      field('Resolution note (optional)', note),
      h(
        'div',
        { class: 'actions' },
        ...ACTIONS.map(({ action, label, done }) =>
          h(
            'button',
            {
              type: 'button',
              onclick: () => void this.status.run(() => this.resolve(report, action, note.value.trim(), done)),
            },
            label,
          ),
        ),
      ),
    );
  }

  private async resolve(
    report: Report,
    action: Resolution['action'],
    note: string,
    done: (resolution: Resolution) => string,
  ): Promise<void> {
    const sender = report.message.senderUserId ?? 'the sender';
    if (action === 'banSender' && !confirm(`Ban ${sender}? Every request of theirs will be refused until you lift it.`))
      return;
    try {
      const resolved = unwrap(
        await this.client.api.POST('/moderation/reports/{reportId}/resolve', {
          params: { path: { reportId: report.id } },
          body: { action, ...(note ? { note } : {}) },
        }),
      );
      this.status.say(resolved.resolution ? done(resolved.resolution) : 'Resolved.');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
      this.status.say('Someone resolved this report already.');
    }
    this.reports = this.reports.filter((known) => known.id !== report.id);
    this.render();
    this.onResolved();
  }
}
