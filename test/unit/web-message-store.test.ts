import fc from 'fast-check';

import type { LiveMessage } from '../../client/live';
import { MessageStore } from '../../web/src/message-store';

/** One message's life as live updates describe it: created, edited some times, maybe deleted (versions grow). */
function history(id: string, edits: number, deleted: boolean): LiveMessage[] {
  const createdMs = Number(id);
  const states: LiveMessage[] = [
    { id, type: 'text', version: id, content: { message: 'v0' }, createdOn: new Date(createdMs).toISOString() },
  ];
  for (let edit = 1; edit <= edits; edit += 1)
    states.push({
      ...states[0]!,
      version: String(createdMs + edit),
      content: { message: `v${edit}` },
      editedOn: new Date(createdMs + edit).toISOString(),
    });
  if (deleted)
    states.push({
      ...states.at(-1)!,
      version: String(createdMs + edits + 1),
      deletedOn: new Date(createdMs + edits + 1).toISOString(),
    });
  return states;
}

describe("the web app's message store (updates arrive at least once, in any order)", () => {
  it('ends with each message in its last state and the messages in the order they were sent', () => {
    const lives = fc.array(fc.record({ edits: fc.nat(4), deleted: fc.boolean() }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        lives.chain((specs) => {
          const updates = specs.flatMap((spec, index) =>
            history(String(1_700_000_000_000 + index * 100), spec.edits, spec.deleted),
          );
          // Every update at least once, some twice, in any order.
          return fc.tuple(
            fc.constant(specs),
            fc.shuffledSubarray([...updates, ...updates], { minLength: updates.length * 2 }),
            fc.subarray(updates),
          );
        }),
        ([specs, shuffled, repeated]) => {
          const store = new MessageStore();
          for (const update of [...shuffled, ...repeated]) store.merge([update]);
          const shown = store.chat();
          expect(shown.map((message) => message.id)).toEqual(
            specs.map((_, index) => String(1_700_000_000_000 + index * 100)),
          );
          shown.forEach((message, index) => {
            const last = history(message.id, specs[index]!.edits, specs[index]!.deleted).at(-1)!;
            expect(message).toEqual(last);
          });
        },
      ),
    );
  });

  it('reports only what changed what is shown, and keeps a deletion final', () => {
    const store = new MessageStore();
    const [created, edited, deleted] = history('1700000000000', 1, true);
    expect(store.merge([created!])).toEqual([created]);
    expect(store.merge([created!])).toEqual([]);
    expect(store.merge([deleted!, edited!])).toEqual([deleted]);
    expect(store.get('1700000000000')).toEqual(deleted);
    expect(store.latest).toBe(deleted!.deletedOn);
  });
});
