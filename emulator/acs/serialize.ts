import { type IdentifierModel, toIdentifierModel } from './identifiers';
import type { MessageRecord, ParticipantRecord, ReadReceiptRecord, ThreadRecord } from './store';

/** Store records -> wire models of the 2025-03-15 swagger. Optional fields are left out, never null. */

const iso = (ms: number): string => new Date(ms).toISOString();

export interface WireParticipant {
  communicationIdentifier: IdentifierModel;
  displayName?: string;
  shareHistoryTime: string;
  metadata?: Record<string, string>;
}

export function participantModel(p: ParticipantRecord): WireParticipant {
  const w: WireParticipant = {
    communicationIdentifier: toIdentifierModel(p.id),
    shareHistoryTime: iso(p.shareHistoryTime),
  };
  if (p.displayName !== undefined) w.displayName = p.displayName;
  if (p.metadata !== undefined) w.metadata = p.metadata;
  return w;
}

export function threadModel(t: ThreadRecord): Record<string, unknown> {
  const w: Record<string, unknown> = {
    id: t.id,
    topic: t.topic,
    createdOn: iso(t.createdOn),
    createdByCommunicationIdentifier: toIdentifierModel(t.createdBy),
  };
  if (t.deletedOn !== undefined) w.deletedOn = iso(t.deletedOn);
  if (t.metadata !== undefined) w.metadata = t.metadata;
  // ACS reports a thread without a policy as kind none (README, "merge patches").
  w.retentionPolicy = t.retentionPolicy ?? { kind: 'none' };
  return w;
}

export function threadItemModel(t: ThreadRecord): Record<string, unknown> {
  const w: Record<string, unknown> = { id: t.id, topic: t.topic, lastMessageReceivedOn: iso(t.lastMessageReceivedOn) };
  if (t.deletedOn !== undefined) w.deletedOn = iso(t.deletedOn);
  return w;
}

export function messageModel(m: MessageRecord): Record<string, unknown> {
  const w: Record<string, unknown> = {
    id: m.id,
    type: m.type,
    sequenceId: String(m.sequenceId),
    version: m.version,
    createdOn: iso(m.createdOn),
  };
  const content: Record<string, unknown> = {};
  if (m.type === 'text' || m.type === 'html') {
    // A deleted message keeps its place in the history but loses its text.
    if (m.deletedOn === undefined && m.message !== undefined) content.message = m.message;
  } else {
    if (m.topic !== undefined) content.topic = m.topic;
    if (m.participants) content.participants = m.participants.map(participantModel);
    if (m.initiatorId !== undefined) content.initiatorCommunicationIdentifier = toIdentifierModel(m.initiatorId);
  }
  w.content = content;
  if (m.senderDisplayName !== undefined) w.senderDisplayName = m.senderDisplayName;
  if (m.senderId !== undefined) w.senderCommunicationIdentifier = toIdentifierModel(m.senderId);
  if (m.deletedOn !== undefined) w.deletedOn = iso(m.deletedOn);
  if (m.editedOn !== undefined) w.editedOn = iso(m.editedOn);
  if (m.metadata !== undefined && m.deletedOn === undefined) w.metadata = m.metadata;
  return w;
}

export function readReceiptModel(r: ReadReceiptRecord): Record<string, unknown> {
  return {
    senderCommunicationIdentifier: toIdentifierModel(r.userId),
    chatMessageId: r.messageId,
    readOn: iso(r.readOn),
  };
}
