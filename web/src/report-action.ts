import { type ChatClient, type Schemas, unwrap } from '../../client';
import { field, h } from './dom';

export type ReportReason = Schemas['Report']['reason'];

/** Each reason the API takes, as the user reads it (the order of the reason list). */
export const REPORT_REASONS: Record<ReportReason, string> = {
  spam: 'Spam',
  harassment: 'Harassment or bullying',
  hate: 'Hate',
  sexual: 'Sexual content',
  violence: 'Violence or threats',
  selfHarm: 'Self-harm',
  other: 'Something else',
};

/** The API's limit on a report's note. */
const MAX_NOTE = 1000;

/**
 * The Report action on someone else's message: asks why (a reason, an optional note) and files the report. Resolves
 * with what to tell the user, or undefined when they cancelled; throws the API's refusal.
 */
export async function reportMessage(
  client: ChatClient,
  message: { threadId: string; messageId: string; author: string },
): Promise<string | undefined> {
  const answer = await askWhy(message.author);
  if (!answer) return undefined;
  const filed = await client.api.POST('/threads/{threadId}/messages/{messageId}/reports', {
    params: { path: { threadId: message.threadId, messageId: message.messageId } },
    body: answer,
  });
  unwrap(filed);
  // 200 rather than 201: this user's earlier report of the same message stands.
  return filed.response.status === 200
    ? 'You reported this message already: the moderators have it.'
    : 'Reported: thank you. A moderator will look at it.';
}

/** A modal dialog; resolves with the reason and note, or undefined on Cancel or Escape. */
function askWhy(author: string): Promise<{ reason: ReportReason; note?: string } | undefined> {
  const reason = h(
    'select',
    { name: 'reason', required: true },
    h('option', { value: '' }, 'Choose a reason'),
    ...Object.entries(REPORT_REASONS).map(([value, label]) => h('option', { value }, label)),
  );
  const note = h('textarea', { name: 'note', maxlength: String(MAX_NOTE), rows: '3' });
  const dialog = h('dialog', { 'aria-label': 'Report a message' });
  const form = h(
    'form',
    { method: 'dialog' },
    h('h2', {}, `Report ${author}'s message`),
    h('p', {}, 'The moderators will see the message as it is now, with your reason and note.'),
    field('Reason', reason),
    field('Note for the moderators (optional)', note),
    h(
      'p',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', value: 'report' }, 'Report'),
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
    ),
  );
  dialog.append(form);
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      const text = note.value.trim();
      resolve(
        dialog.returnValue === 'report'
          ? { reason: reason.value as ReportReason, ...(text ? { note: text } : {}) }
          : undefined,
      );
    });
  });
}
