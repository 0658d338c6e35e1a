import { type ChatClient, type Schemas, unwrap } from '../../client';
import { dateTimeText } from './dates';
import { h } from './dom';
import { StatusLine } from './status-line';

type AuditEntry = Schemas['AuditEntry'];

const PAGE_SIZE = '20';

const ACTION_NAMES: Record<AuditEntry['action'], string> = {
  ban: 'Ban',
  unban: 'Unban',
  contentRejected: 'Content rejected',
  messageDeleted: 'Message deleted',
  reportFiled: 'Report filed',
  reportResolved: 'Report resolved',
};

/** The moderation audit trail, newest first: who did what to whom, when and why (read only). */
export class AuditTrail {
  readonly element: HTMLElement;
  private readonly rows = h('tbody');
  private readonly status = new StatusLine();
  private readonly more = h('button', { type: 'button', hidden: true }, 'Show older entries');
  private continuationToken: string | undefined;

  constructor(private readonly client: ChatClient) {
    this.more.addEventListener('click', () => void this.status.run(() => this.loadPage(this.continuationToken)));
    this.element = h(
      'section',
      { class: 'review-section', 'aria-label': 'Audit trail' },
      h('div', { class: 'section-head' }, h('h3', {}, 'Audit trail')),
      this.status.element,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { 'aria-label': 'Audit trail' },
          h(
            'thead',
            {},
            h('tr', {}, ...['When', 'What', 'By', 'Whom', 'Why', 'Details'].map((name) => h('th', {}, name))),
          ),
          this.rows,
        ),
      ),
      this.more,
    );
  }

  async refresh(): Promise<void> {
    this.rows.replaceChildren();
    await this.status.run(() => this.loadPage(undefined));
  }

  private async loadPage(continuationToken: string | undefined): Promise<void> {
    const page = unwrap(
      await this.client.api.GET('/moderation/audit', {
        params: { query: { maxPageSize: PAGE_SIZE, ...(continuationToken ? { continuationToken } : {}) } },
      }),
    );
    this.rows.append(...page.items.map(entryRow));
    this.continuationToken = page.continuationToken;
    this.more.hidden = !this.continuationToken;
  }
}

function entryRow(entry: AuditEntry): HTMLElement {
  const details = Object.entries(entry.details ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ');
  return h(
    'tr',
    {},
    ...[dateTimeText(entry.on), ACTION_NAMES[entry.action], entry.actor, entry.subject, entry.reason, details].map(
      (cell) => h('td', {}, cell ?? ''),
    ),
  );
}
