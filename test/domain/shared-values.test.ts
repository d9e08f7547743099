import { describe, expect, it } from 'vitest';
import { rosterNotification } from '../../src/domain/notifications.js';
import {
  jsonFragment,
  jsonFragmentList,
  shared,
  stringifyWithFragments,
  utf8WithFragments,
} from '../../src/domain/shared-values.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { conversation, leg, participant } from '../store/fixtures.js';

describe('shared values (issue 17: a roster is not parsed, rendered and serialized again per invite)', () => {
  it('serializes a body with shared fragments exactly as JSON.stringify does', () => {
    const a = jsonFragment({ id: 'a', info: { name: 'Ada "A" \u2028' }, n: [1, 2] });
    const b = jsonFragment({ id: 'b', gone: undefined, list: [] });
    const body = {
      '@odata.type': '#microsoft.graph.commsNotifications',
      value: [
        { changeType: 'updated', resourceData: [a, b, a] },
        { resourceData: { nested: b }, skip: undefined },
      ],
      text: 'plain',
    };
    expect(stringifyWithFragments(body)).toBe(JSON.stringify(body));
    expect(stringifyWithFragments({ none: [1, 'x'] })).toBe('{"none":[1,"x"]}');
  });

  it('writes the same body as UTF-8 bytes, byte for byte, with fragments encoded once', () => {
    const a = jsonFragment({ id: 'a', displayName: 'Zoë 👩‍💻 "Q" \u2028', lone: '\ud800x' });
    const b = jsonFragment({ id: 'b', list: [] });
    const body = { value: [{ resourceData: [a, b, a], note: 'ünïcode \udc00' }], empty: '' };
    const expected = Buffer.from(JSON.stringify(body), 'utf8');
    expect(utf8WithFragments(body).equals(expected)).toBe(true);
    // Again, now that the fragments hold their bytes (and no longer their text).
    expect(utf8WithFragments(body).equals(expected)).toBe(true);
    expect(stringifyWithFragments(body)).toBe(JSON.stringify(body));
    expect(utf8WithFragments({ none: ['é'] }).toString('utf8')).toBe('{"none":["é"]}');
    expect(utf8WithFragments(a).equals(Buffer.from(JSON.stringify(a), 'utf8'))).toBe(true);
  });

  it('writes bodies into buffers of their own, not slices of the shared pool a kept body would pin', () => {
    const a = jsonFragment({ id: 'a', name: 'Åsa' });
    // Small bodies: Buffer.from and allocUnsafe would slice Node's 8 KiB pool for these.
    for (const body of [{ value: [a] }, { plain: 'no fragment' }]) {
      const bytes = utf8WithFragments(body);
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    }
  });

  it('splices a registered list of fragments as a whole, as JSON.stringify writes it, text and bytes', () => {
    const a = jsonFragment({ id: 'a', name: 'Åsa' });
    const b = jsonFragment({ id: 'b' });
    const bodies = [
      { value: [{ resourceData: jsonFragmentList([a, b, a]), n: 1 }] },
      { value: [{ resourceData: jsonFragmentList([]) }, { one: jsonFragmentList([b]) }], also: a },
      jsonFragmentList([b, a]),
      { mixed: jsonFragmentList([a, { id: 'not a fragment' }]) },
    ];
    for (const body of bodies) {
      expect(stringifyWithFragments(body)).toBe(JSON.stringify(body));
      expect(utf8WithFragments(body).equals(Buffer.from(JSON.stringify(body), 'utf8'))).toBe(true);
    }
  });

  it('freezes shared values in the tests, so code that changes one fails here', () => {
    const value = shared({ a: { b: [1] } });
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(() => value.a.b.push(2)).toThrow(TypeError);
  });

  it('renders a participant once per leg and hands the same rendering to every roster notification', () => {
    const p = participant({ id: 'p-1' });
    const first = rosterNotification(leg(), [p]);
    const second = rosterNotification(leg(), [p]);
    const listed = (n: typeof first) => (n.body.value as { resourceData: unknown[] }[])[0]!.resourceData[0];
    expect(listed(second)).toBe(listed(first));
    expect(listed(rosterNotification(leg({ id: 'call-2' }), [p]))).not.toBe(listed(first));
  });

  it('SQLite hands out the same parsed participant while its stored text is unchanged, a new one once it changed', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const p = participant({ id: 'p-1' });
    await store.transact(async (tx) => {
      await tx.putConversation(conversation());
      await tx.putParticipant(p);
    });
    const read = () => store.transact((tx) => tx.getParticipant('p-1'));
    const [first, second] = [await read(), await read()];
    expect(second).toBe(first);
    expect(first).toEqual(p);
    expect(Object.isFrozen(first)).toBe(true);
    const roster = await store.transact((tx) => tx.participantsInConversation(p.conversationId));
    expect(roster[0]).toBe(first);
    await store.transact((tx) => tx.putParticipant({ ...p, isInLobby: true }));
    const changed = await read();
    expect(changed).not.toBe(first);
    expect(changed).toMatchObject({ id: 'p-1', isInLobby: true });
    await store.close();
  });
});
