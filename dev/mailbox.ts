import type { RunningEmulator } from '../emulator';
import type { Mount } from './host';

/**
 * `GET /dev/mailbox`: the ACS emulator's mailbox (every email the backend sent through the Email API), newest first,
 * so a newcomer sees the away emails `npm run dev` sends. Never deployed. Each email's HTML is shown in a sandboxed
 * frame (no script, no same-origin access); everything else is escaped text.
 */
export function mailboxMount(emulator: RunningEmulator): Mount {
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (request.method !== 'GET' || url.pathname.replace(/\/+$/, '') !== '/dev/mailbox') return false;
    const messages = emulator.control.email.messages().slice().reverse();
    const items = messages.map((message) => {
      const to = message.to.map((recipient) => recipient.address).join(', ');
      const headers = Object.entries(message.headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n');
      return (
        `<article><h2>${escape(message.subject)}</h2>` +
        `<p>To ${escape(to)} · from ${escape(message.sender)} · ${escape(message.acceptedAt)} · ` +
        `${escape(message.status)}</p>` +
        (message.html
          ? `<iframe sandbox title="${escape(message.subject)}" srcdoc="${escape(message.html)}"></iframe>`
          : '') +
        `<details><summary>Plain text and headers</summary><pre>${escape(message.plainText ?? '')}</pre>` +
        `<pre>${escape(headers)}</pre></details></article>`
      );
    });
    const body =
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev mailbox</title>' +
      '<style>body{font-family:sans-serif;max-width:50em;margin:1em auto}iframe{width:100%;height:16em;' +
      'border:1px solid #ccc}article{border-bottom:1px solid #ddd;padding:1em 0}</style></head><body>' +
      `<h1>Dev mailbox (${messages.length})</h1>` +
      (items.length > 0 ? items.join('') : "<p>No email yet. Away emails go out after the recipient's delay.</p>") +
      '</body></html>';
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'",
      'x-content-type-options': 'nosniff',
    });
    response.end(body);
    return true;
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
