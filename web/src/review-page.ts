import type { ChatClient } from '../../client';
import { AuditTrail } from './audit-trail';
import { BanList } from './ban-list';
import { h } from './dom';
import { OpenReports } from './open-reports';

/**
 * The admins' review page: open reports and the actions that resolve them, bans, and the audit trail. Nothing here is
 * live: it is fetched when opened, after each action, and on Refresh.
 */
export class ReviewPage {
  readonly element: HTMLElement;
  private readonly audit: AuditTrail;
  private readonly bans: BanList;
  private readonly reports: OpenReports;

  constructor(client: ChatClient) {
    this.audit = new AuditTrail(client);
    this.bans = new BanList(client, () => void this.audit.refresh());
    this.reports = new OpenReports(client, () => void Promise.all([this.bans.refresh(), this.audit.refresh()]));
    this.element = h(
      'section',
      { class: 'review', 'aria-label': 'Moderation' },
      h('h2', {}, 'Moderation'),
      this.reports.element,
      this.bans.element,
      this.audit.element,
    );
  }

  async open(): Promise<void> {
    await Promise.all([this.reports.refresh(), this.bans.refresh(), this.audit.refresh()]);
  }
}
