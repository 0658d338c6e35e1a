/** Conversion between raw ids (`8:acs:…`) and the wire's `CommunicationIdentifierModel`. */

export interface IdentifierModel {
  rawId?: string;
  kind?: string;
  communicationUser?: { id: string };
  phoneNumber?: { value: string };
  microsoftTeamsUser?: { userId: string; isAnonymous?: boolean; cloud?: string };
  microsoftTeamsApp?: { appId: string; cloud?: string };
}

/** Serializes a raw id the way the service does; enough for the SDK's `deserializeCommunicationIdentifier`. */
export function toIdentifierModel(rawId: string): IdentifierModel {
  if (
    rawId.startsWith('8:acs:') ||
    rawId.startsWith('8:spool:') ||
    rawId.startsWith('8:dod-acs:') ||
    rawId.startsWith('8:gcch-acs:')
  ) {
    return { rawId, communicationUser: { id: rawId } };
  }
  if (rawId.startsWith('4:')) return { rawId, phoneNumber: { value: rawId.slice(2) } };
  return { rawId };
}

/** Reads the raw id out of a request's identifier model; undefined when none can be found. */
export function rawIdOf(model: unknown): string | undefined {
  if (typeof model !== 'object' || model === null) return undefined;
  const m = model as IdentifierModel;
  if (typeof m.communicationUser?.id === 'string') return m.communicationUser.id;
  if (typeof m.rawId === 'string' && m.rawId.length > 0) return m.rawId;
  if (typeof m.phoneNumber?.value === 'string') return `4:${m.phoneNumber.value}`;
  if (typeof m.microsoftTeamsUser?.userId === 'string') return `8:orgid:${m.microsoftTeamsUser.userId}`;
  return undefined;
}
