import { ApiError, type ChatClient, type Schemas, unwrap } from '../../client';
import { checkbox, field, h } from './dom';
import { StatusLine } from './status-line';

type EmailSettings = Schemas['NotificationSettings']['email'];

/** The API's bounds of the delay (src/notifications/notification-schemas.ts); the server checks them too. */
const MIN_DELAY_MINUTES = 5;
const MAX_DELAY_MINUTES = 1440;
/** Offered in the delay field's list; any whole number of minutes in range may be typed. */
const DELAY_CHOICES: ReadonlyArray<[minutes: number, label: string]> = [
  [5, '5 minutes'],
  [15, '15 minutes'],
  [30, '30 minutes'],
  [60, '1 hour'],
  [240, '4 hours'],
  [480, '8 hours'],
  [1440, '1 day'],
];

/** The names of the fields a validation detail's target (`body.email.address`) points at. */
const FIELD_NAMES: Record<string, string> = { address: 'Email address', delayMinutes: 'Delay' };

let nextId = 0;

/**
 * The signed-in user's email notification settings (`GET`/`PUT /api/me/notifications`): emails about unread messages
 * on or off, how long after an unread message, and to which address (the sign-in's unless the user set one). Where the
 * deployment sends no email (503), it says so and offers nothing to change.
 */
export class NotificationSettingsPanel {
  readonly element: HTMLElement;
  private readonly heading = h('h2', { tabindex: '-1' }, 'Notifications');
  private readonly status = new StatusLine();
  private readonly enabled = h('input', { name: 'emailEnabled', role: 'switch' });
  private readonly delay = h('input', {
    name: 'delayMinutes',
    type: 'number',
    inputmode: 'numeric',
    min: String(MIN_DELAY_MINUTES),
    max: String(MAX_DELAY_MINUTES),
    step: '1',
  });
  private readonly address = h('input', { name: 'emailAddress', type: 'email', autocomplete: 'email' });
  private readonly addressNote = h('p', { class: 'meta' });
  private readonly useSignInAddress = h('button', { type: 'button', hidden: true }, 'Use my sign-in address');
  private readonly form: HTMLFormElement;
  /** The settings as the server last returned them. */
  private saved: EmailSettings | undefined;

  constructor(private readonly client: ChatClient) {
    const choices = h(
      'datalist',
      { id: `delay-choices-${(nextId += 1)}` },
      ...DELAY_CHOICES.map(([minutes, label]) => h('option', { value: String(minutes), label })),
    );
    this.delay.setAttribute('list', choices.id);
    this.addressNote.id = `address-note-${nextId}`;
    this.address.setAttribute('aria-describedby', this.addressNote.id);
    this.useSignInAddress.addEventListener('click', () => void this.status.run(() => this.backToSignInAddress()));
    // The server checks every value and says what is wrong: the browser's own checks would hide its message.
    this.form = h(
      'form',
      {
        class: 'review-section settings',
        'aria-label': 'Email notifications',
        novalidate: true,
        hidden: true,
        onsubmit: (event: Event) => {
          event.preventDefault();
          void this.status.run(() => this.save());
        },
      },
      h('div', { class: 'section-head' }, h('h3', {}, 'Email about unread messages')),
      h('p', { class: 'meta' }, 'One email per batch of messages you have not read, only while you are away.'),
      checkbox('Email me about unread messages', this.enabled),
      field(`Delay (minutes after the first unread message, ${MIN_DELAY_MINUTES} to ${MAX_DELAY_MINUTES})`, this.delay),
      choices,
      field('Email address', this.address),
      this.addressNote,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), this.useSignInAddress),
    );
    this.element = h(
      'section',
      { class: 'review', 'aria-label': 'Notifications' },
      this.heading,
      this.form,
      // Below Save, where the eye is after saving; alone under the heading while loading or when unavailable.
      this.status.element,
    );
  }

  /** Loads the settings, and moves the focus to the panel's heading (it replaced what was shown). */
  async open(): Promise<void> {
    this.heading.focus();
    await this.status.run(async () => {
      this.status.say('Loading…');
      const result = await this.client.api.GET('/me/notifications');
      if (this.unavailable(result.response)) return;
      this.show(unwrap(result).email);
      this.status.say('');
    });
  }

  private async save(): Promise<void> {
    const enabled = this.enabled.checked;
    const address = addressToSend(this.address.value.trim(), this.saved!);
    // An empty (or, to the browser, unreadable) number keeps the delay in force; the confirmation says which.
    const delayMinutes = this.delay.value === '' ? undefined : Number(this.delay.value);
    const result = await this.client.api.PUT('/me/notifications', {
      body: {
        email: {
          enabled,
          ...(address !== undefined ? { address } : {}),
          ...(delayMinutes !== undefined ? { delayMinutes } : {}),
        },
      },
    });
    if (this.unavailable(result.response)) return;
    const settings = unwrapOrExplain(result).email;
    this.show(settings);
    this.status.say(savedText(settings, enabled));
  }

  /** Address null: the sign-in's again. Only the address changes: other edits not yet saved stay in the form. */
  private async backToSignInAddress(): Promise<void> {
    const result = await this.client.api.PUT('/me/notifications', {
      body: { email: { enabled: this.saved!.enabled, address: null } },
    });
    if (this.unavailable(result.response)) return;
    const settings = unwrapOrExplain(result).email;
    this.saved = settings;
    this.showAddress(settings);
    this.status.say(
      settings.address
        ? `Emails go to your sign-in address again: ${settings.address}.`
        : 'Your sign-in gave no address: enter one to get emails.',
    );
  }

  /** A 503: this deployment sends no email. The form goes; a sentence says why. */
  private unavailable(response: Response): boolean {
    if (response.status !== 503) return false;
    this.form.hidden = true;
    this.status.say('Email notifications are not available here: this deployment sends no email.');
    return true;
  }

  private show(settings: EmailSettings): void {
    this.saved = settings;
    this.enabled.checked = settings.enabled;
    this.delay.value = String(settings.delayMinutes);
    this.showAddress(settings);
    this.form.hidden = false;
  }

  private showAddress(settings: EmailSettings): void {
    this.address.value = settings.address ?? '';
    this.addressNote.textContent = !settings.address
      ? 'No address yet: your sign-in gave none. Enter one to get emails.'
      : settings.addressSource === 'user'
        ? 'Set by you. Type another to change it.'
        : 'From your sign-in. Type another to send emails elsewhere.';
    this.useSignInAddress.hidden = settings.addressSource !== 'user';
  }
}

/**
 * What to send as the address: nothing when unchanged, null (back to the sign-in's) when the user emptied an address
 * they had set, else what they typed.
 */
function addressToSend(typed: string, saved: EmailSettings): string | null | undefined {
  if (typed === (saved.address ?? '')) return undefined;
  if (typed === '') return saved.addressSource === 'user' ? null : undefined;
  return typed;
}

/** The data of a successful call; otherwise an error whose message is the API's, with each invalid field's reason. */
function unwrapOrExplain<Data>(result: { data?: Data; error?: unknown; response: Response }): Data {
  try {
    return unwrap(result);
  } catch (error) {
    const details = error instanceof ApiError ? (error.body?.error.details ?? []) : [];
    if (details.length === 0) throw error;
    const reasons = details.map((detail) => {
      const name = FIELD_NAMES[detail.target?.split('.').pop() ?? ''];
      return name ? `${name}: ${detail.message}` : (detail.message ?? '');
    });
    throw new Error(`Not saved. ${reasons.join('; ')}`, { cause: error });
  }
}

/** The confirmation of a save: what is now in force. */
function savedText(settings: EmailSettings, wantedOn: boolean): string {
  if (settings.enabled)
    return (
      `Saved: emails on, to ${settings.address} (${settings.addressSource === 'user' ? 'set by you' : 'from your sign-in'}), ` +
      `${settings.delayMinutes} minutes after the first unread message.`
    );
  return wantedOn && !settings.address
    ? 'Saved, but emails stay off: there is no address to send them to.'
    : 'Saved: emails off.';
}
