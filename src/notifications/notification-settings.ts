import type { Caller } from '../http/authenticate';
import type { NotificationRecord, NotificationRepository } from '../storage/notification-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import {
  DEFAULT_DELAY_MINUTES,
  type NotificationSettings,
  type NotificationSettingsBody,
} from './notification-schemas';

/**
 * Each user's email notification settings. Emails are on by default when the sign-in token carries an address (not
 * marked unverified), which is remembered when it first appears or changes (one Tables write then; a per-instance
 * cache spares the rest); an address the user sets wins over it.
 */
export class NotificationSettingsService {
  /** userId → the token address this instance last saw stored. */
  private readonly knownTokenAddress = new Map<string, string>();

  constructor(private readonly repository: NotificationRepository) {}

  /** Remembers the sign-in token's address (POST /api/token, and the settings routes). */
  async noteSignIn(caller: Caller): Promise<void> {
    if (!caller.email || this.knownTokenAddress.get(caller.userId) === caller.email) return;
    await this.repository.merge(caller.userId, { tokenAddress: caller.email }).catch(rethrowAs(fromUpstream));
    if (this.knownTokenAddress.size > 50_000) this.knownTokenAddress.clear();
    this.knownTokenAddress.set(caller.userId, caller.email);
  }

  async get(caller: Caller): Promise<NotificationSettings> {
    await this.noteSignIn(caller);
    const record = await this.repository.get(caller.userId).catch(rethrowAs(fromUpstream));
    return settingsOf(record ?? {});
  }

  /** The unsubscribe link: emails off, whatever else is set. */
  async unsubscribe(userId: string): Promise<void> {
    await this.repository.merge(userId, { enabled: false }).catch(rethrowAs(fromUpstream));
  }

  async put(caller: Caller, body: NotificationSettingsBody): Promise<NotificationSettings> {
    await this.noteSignIn(caller);
    const { enabled, address, delayMinutes } = body.email;
    await this.repository
      .merge(caller.userId, {
        enabled,
        ...(address !== undefined ? { address } : {}),
        ...(delayMinutes !== undefined ? { delayMinutes } : {}),
      })
      .catch(rethrowAs(fromUpstream));
    return this.get(caller);
  }
}

/** What a stored record means: the address in force, whether emails are on, the delay. */
export function settingsOf(record: NotificationRecord): NotificationSettings {
  const address = record.address ?? record.tokenAddress;
  return {
    email: {
      enabled: address !== undefined && (record.enabled ?? true),
      ...(address ? { address, addressSource: record.address ? ('user' as const) : ('token' as const) } : {}),
      delayMinutes: record.delayMinutes ?? DEFAULT_DELAY_MINUTES,
    },
  };
}
