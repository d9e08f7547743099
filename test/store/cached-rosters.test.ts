import { describe, expect, it } from 'vitest';
import { CachedRosters } from '../../src/store/sqlite/cached-rosters.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { conversation, participant, T0 } from './fixtures.js';

const p = (id: string, createdAt: number, over: Parameters<typeof participant>[0] = {}) =>
  participant({ id, createdAt, identity: { user: { id: `u-${id}`, displayName: id } }, ...over });

describe('CachedRosters', () => {
  it("keeps the table's order: created_at, then insertion; an update keeps its place", () => {
    const c = new CachedRosters();
    c.fill('conv-1', [p('a', 10), p('b', 20)]);
    c.put(p('c', 20));
    c.put(p('d', 15));
    c.put(p('a', 10, { isMuted: true }));
    expect(c.get('conv-1')!.map((x) => x.id)).toEqual(['a', 'd', 'b', 'c']);
    expect(c.get('conv-1')![0]!.isMuted).toBe(true);
    // A participant of a roster not kept is not remembered on its own.
    c.put(p('x', 1, { conversationId: 'conv-2' }));
    expect(c.get('conv-2')).toBeUndefined();
  });

  it('hands out copies, forgets both rosters when a participant moves, and clears itself when full', () => {
    const c = new CachedRosters(2);
    c.fill('conv-1', [p('a', 10)]);
    c.get('conv-1')!.push(p('z', 99));
    expect(c.get('conv-1')!.map((x) => x.id)).toEqual(['a']);
    c.fill('conv-2', [p('b', 10, { conversationId: 'conv-2' })]);
    c.put(p('a', 10, { conversationId: 'conv-2' }));
    expect(c.get('conv-1')).toBeUndefined();
    expect(c.get('conv-2')).toBeUndefined();
    c.fill('conv-1', []);
    c.fill('conv-2', []);
    c.fill('conv-3', []);
    expect(c.size).toBe(1);
  });
});

describe('the SQLite store with cached rosters', () => {
  it('reads a roster with the writes of its own command, and forgets what a failed command wrote', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      await store.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putParticipant(p('a', T0));
      });
      // Cached now.
      expect((await store.transact((tx) => tx.participantsInConversation('conv-1'))).map((x) => x.id)).toEqual(['a']);
      await expect(
        store.transact(async (tx) => {
          await tx.putParticipant(p('b', T0 + 1));
          expect((await tx.participantsInConversation('conv-1')).map((x) => x.id)).toEqual(['a', 'b']);
          throw new Error('the command fails after writing');
        }),
      ).rejects.toThrow('the command fails');
      expect((await store.transact((tx) => tx.participantsInConversation('conv-1'))).map((x) => x.id)).toEqual(['a']);
      await store.transact((tx) => tx.putParticipant(p('c', T0 + 2)));
      expect((await store.transact((tx) => tx.participantsInConversation('conv-1'))).map((x) => x.id)).toEqual([
        'a',
        'c',
      ]);
      // The same values a read by id hands out.
      const [a] = await store.transact((tx) => tx.participantsInConversation('conv-1'));
      expect(await store.transact((tx) => tx.getParticipant('a'))).toBe(a);
      // After a reset, nothing is left of it.
      await store.reset(T0 + 3);
      expect(await store.transact((tx) => tx.participantsInConversation('conv-1'))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
