import { type ChatClient, type Schemas, unwrap } from '../../client';
import { dateTimeText } from './dates';
import { field, h, replaceChildren } from './dom';
import { StatusLine } from './status-line';

type Ban = Schemas['Ban'];

/** Bans in force (and expired ones not yet lifted), each with Unban, and a form to ban someone by user name. */
export class BanList {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'bans', 'aria-label': 'Bans' });
  private readonly status = new StatusLine();

  constructor(
    private readonly client: ChatClient,
    /** After a ban or an unban (the audit trail has a new entry). */
    private readonly onChange: () => void,
  ) {
    this.element = h(
      'section',
      { class: 'review-section', 'aria-label': 'Bans' },
      h('div', { class: 'section-head' }, h('h3', {}, 'Bans')),
      this.status.element,
      this.list,
      this.banForm(),
    );
  }

  async refresh(): Promise<void> {
    await this.status.run(async () => {
      const { items } = unwrap(await this.client.api.GET('/moderation/bans'));
      replaceChildren(
        this.list,
        ...(items.length > 0
          ? items.map((ban) => this.banElement(ban))
          : [h('li', { class: 'status' }, 'No one is banned.')]),
      );
    });
  }

  private banElement(ban: Ban): HTMLElement {
    const ended = ban.until !== undefined && Date.parse(ban.until) <= Date.now();
    const until = ban.until ? `${ended ? 'ended' : 'until'} ${dateTimeText(ban.until)}` : 'until lifted';
    return h(
      'li',
      { class: 'ban' },
      h('strong', {}, ban.userId),
      ` — ${ban.reason}`,
      h('div', { class: 'meta' }, `banned by ${ban.bannedBy} on ${dateTimeText(ban.bannedOn)}, ${until}`),
      h(
        'button',
        {
          type: 'button',
          'aria-label': `Unban ${ban.userId}`,
          onclick: () =>
            void this.status.run(async () => {
              unwrap(
                await this.client.api.DELETE('/moderation/bans/{userId}', { params: { path: { userId: ban.userId } } }),
              );
              await this.changed(`${ban.userId} may use the chat again.`);
            }),
        },
        'Unban',
      ),
    );
  }

  private banForm(): HTMLElement {
    const userId = h('input', { name: 'banUserId', required: true, autocomplete: 'off' });
    const reason = h('input', { name: 'banReason', required: true, maxlength: '500' });
    const until = h('input', { name: 'banUntil', type: 'datetime-local' });
    return h(
      'form',
      {
        class: 'ban-form',
        'aria-label': 'Ban a user',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void this.status.run(async () => {
            const who = userId.value.trim();
            unwrap(
              await this.client.api.PUT('/moderation/bans/{userId}', {
                params: { path: { userId: who } },
                body: {
                  reason: reason.value.trim(),
                  // datetime-local is the reader's local time; the API wants an instant.
                  ...(until.value ? { until: new Date(until.value).toISOString() } : {}),
                },
              }),
            );
            userId.value = reason.value = until.value = '';
            await this.changed(`${who} is banned.`);
          });
        },
      },
      field('User name to ban', userId),
      field('Reason', reason),
      field('Until (optional: empty bans until lifted)', until),
      h('p', {}, h('button', { type: 'submit' }, 'Ban')),
    );
  }

  private async changed(text: string): Promise<void> {
    await this.refresh();
    this.status.say(text);
    this.onChange();
  }
}
