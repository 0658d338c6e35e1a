import type { EmailControl, EmailFailureSpec, MailboxEntry } from './control';
import type { EmailRateLimitSetting } from './limits';

/** Promise twin of `EmailControl`, over `/_emulator/email/…`; `EmulatorControlClient.email` is one. */

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;
type Async<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

export class EmailControlClient implements Async<EmailControl> {
  constructor(private readonly call: Call) {}

  async messages(): Promise<MailboxEntry[]> {
    return (await this.call<{ value: MailboxEntry[] }>('GET', 'email/messages')).value;
  }

  async message(operationId: string): Promise<MailboxEntry | undefined> {
    try {
      return await this.call<MailboxEntry>('GET', `email/messages/${encodeURIComponent(operationId)}`);
    } catch (e) {
      if (e instanceof Error && / 404: /.test(e.message)) return undefined;
      throw e;
    }
  }

  clearMessages(): Promise<void> {
    return this.call('DELETE', 'email/messages');
  }

  setRateLimit(setting: EmailRateLimitSetting): Promise<void> {
    return this.call('PUT', 'email/rate-limit', { rateLimit: setting });
  }

  async rateLimit(): Promise<EmailRateLimitSetting> {
    return (await this.call<{ rateLimit: EmailRateLimitSetting }>('GET', 'email/rate-limit')).rateLimit;
  }

  setSenderDomains(domains: 'any' | string[]): Promise<void> {
    return this.call('PUT', 'email/sender-domains', { senderDomains: domains });
  }

  async senderDomains(): Promise<'any' | string[]> {
    return (await this.call<{ senderDomains: 'any' | string[] }>('GET', 'email/sender-domains')).senderDomains;
  }

  failNext(spec: EmailFailureSpec = {}): Promise<void> {
    return this.call('POST', 'email/failures', spec);
  }
}
