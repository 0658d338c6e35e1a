import fc from 'fast-check';

import {
  compareMessageIds,
  type InboxChange,
  type InboxState,
  isCountedType,
  isPresent,
  lastMessage,
  unreadCount,
} from '../../src/inbox/inbox-state';

/**
 * Random event streams for one inbox entry (the owner is `me`) and the simple model they are checked against: the
 * model looks at the set of events as a whole, so it is what any delivery order must end in.
 */

export const ME = '8:acs:me';
const PEOPLE = [ME, '8:acs:ann', '8:acs:ben'];

interface MessagePlan {
  id: string;
  sender: string;
  type: string;
  bodies: string[];
  deleted: boolean;
}

export interface Scenario {
  messages: MessagePlan[];
  reads: string[];
  membership: Array<{ in: boolean; at: number }>;
  topics: Array<{ text: string; at: number }>;
  threadDeleted: boolean;
}

const messageId = (index: number): string => String(1_700_000_000_000 + index * 7);

const scenarioOf = (maxMessages: number): fc.Arbitrary<Scenario> =>
  fc
    .record({
      messages: fc.array(
        fc.record({
          sender: fc.constantFrom(...PEOPLE),
          type: fc.constantFrom('text', 'html', 'Text', 'topicUpdated'),
          bodies: fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }),
          deleted: fc.boolean(),
        }),
        { maxLength: maxMessages },
      ),
      readIndexes: fc.array(fc.nat(maxMessages), { maxLength: 3 }),
      membership: fc.array(fc.record({ in: fc.boolean(), at: fc.nat(20) }), { minLength: 1, maxLength: 4 }),
      topics: fc.array(fc.record({ text: fc.constantFrom('a', 'b', 'c'), at: fc.nat(20) }), { maxLength: 3 }),
      threadDeleted: fc.nat(4).map((n) => n === 0),
    })
    .map(({ messages, readIndexes, ...rest }) => ({
      ...rest,
      messages: messages.map((m, index) => ({ ...m, id: messageId(index) })),
      reads: readIndexes.map(messageId),
    }));

export const createdOnOf = (id: string): number => Number(id) - 1_699_999_000_000;

/** Every change the scenario's events make to `me`'s entry. */
export function changesOf(s: Scenario): InboxChange[] {
  const changes: InboxChange[] = [];
  for (const m of s.messages) {
    m.bodies.forEach((body, version) =>
      changes.push({
        kind: 'message',
        fromOther: m.sender !== ME,
        message: {
          id: m.id,
          type: m.type,
          preview: body,
          senderAcsUserId: m.sender,
          createdOn: createdOnOf(m.id),
          version,
        },
      }),
    );
    if (m.deleted) changes.push({ kind: 'messageDeleted', messageId: m.id });
  }
  for (const upTo of s.reads) changes.push({ kind: 'read', upTo });
  for (const member of s.membership)
    changes.push(member.in ? { kind: 'joined', at: member.at } : { kind: 'left', ...member });
  for (const topic of s.topics) changes.push({ kind: 'topic', ...topic });
  if (s.threadDeleted) changes.push({ kind: 'threadDeleted' });
  return changes;
}

/** A delivery: every change at least once, some several times, in any order. */
export const deliveries = (maxMessages = 12): fc.Arbitrary<{ scenario: Scenario; delivered: InboxChange[] }> =>
  scenarioOf(maxMessages).chain((s) => {
    const changes = changesOf(s);
    return fc
      .tuple(
        fc.array(fc.nat(Math.max(0, changes.length - 1)), { maxLength: changes.length }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: changes.length * 2,
          maxLength: changes.length * 2,
        }),
      )
      .map(([duplicates, keys]) => {
        const all = [...changes, ...duplicates.map((index) => changes[index]!)];
        const delivered = all
          .map((change, index) => ({ change, key: keys[index] ?? 0 }))
          .sort((a, b) => a.key - b.key)
          .map(({ change }) => change);
        return { scenario: s, delivered };
      });
  });

export interface Expected {
  present: boolean;
  topic: string;
  unreadCount: number;
  lastActivityOn: number;
  lastMessage?: { id: string; preview: string };
}

export function expectedOf(s: Scenario): Expected {
  if (s.threadDeleted) return { present: false, topic: '', unreadCount: 0, lastActivityOn: 0 };
  const latest = [...s.membership].sort((a, b) => a.at - b.at || (a.in ? 0 : 1) - (b.in ? 0 : 1)).pop();
  const topic = [...s.topics].sort((a, b) => a.at - b.at || (a.text < b.text ? -1 : 1)).pop();
  const readUpTo = [...s.reads].sort(compareMessageIds).pop();
  const counted = s.messages.filter((m) => isCountedType(m.type));
  const live = counted.filter((m) => !m.deleted);
  const newest = live[live.length - 1];
  const joins = s.membership.filter((m) => m.in).map((m) => m.at);
  return {
    present: latest?.in === true,
    topic: topic?.text ?? '',
    unreadCount: live.filter((m) => m.sender !== ME && (!readUpTo || compareMessageIds(m.id, readUpTo) > 0)).length,
    lastActivityOn: Math.max(0, ...joins, ...counted.map((m) => createdOnOf(m.id))),
    ...(newest ? { lastMessage: { id: newest.id, preview: newest.bodies[newest.bodies.length - 1]! } } : {}),
  };
}

/** What a user can notice of an entry, in the model's terms. */
export function observed(state: InboxState): Expected {
  if (state.threadDeleted) return { present: false, topic: '', unreadCount: 0, lastActivityOn: 0 };
  const last = lastMessage(state);
  return {
    present: isPresent(state),
    topic: state.topic?.text ?? '',
    unreadCount: unreadCount(state),
    lastActivityOn: state.lastActivityOn,
    ...(last ? { lastMessage: { id: last.id, preview: last.preview } } : {}),
  };
}
