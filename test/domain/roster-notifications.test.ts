/**
 * Roster notifications as Graph sends them: a roster `updated` lists the whole roster after the change (the bot
 * included), a `deleted` only those who left. Microsoft's C# calling SDK depends on it: it removes from
 * `call.Participants` everyone an `updated` leaves out (clients/dotnet shows it end to end).
 */
import { describe, expect, it } from 'vitest';
import { rosterAfter, rosterToAllLegs } from '../../src/domain/notifications.js';
import { conversation, leg, only, participant, user, USERS, view } from './fixtures.js';

const ids = (n: ReturnType<typeof rosterToAllLegs>[number]): string[] =>
  (only(n).resourceData as { id: string }[]).map((p) => p.id);

describe('rosterToAllLegs', () => {
  const me = leg();
  const other = leg({
    id: 'leg-2',
    appId: 'other-app',
    myParticipantId: 'bot-p-2',
    callbackUri: 'https://other.example/cb',
  });
  const ringingLeg = leg({ id: 'leg-3', myParticipantId: 'bot-p-3', state: 'incoming' });
  const adele = participant({ id: 'p-adele', identity: user(USERS.adele) });
  const alex = participant({ id: 'p-alex', identity: user(USERS.alex) });
  const ringing = participant({ id: 'p-megan', status: 'inviting', identity: user(USERS.megan) });
  const failed = participant({ id: 'p-dana', status: 'failed', identity: user(USERS.dana) });
  const hidden = participant({ id: 'p-hidden', identity: user(USERS.heidi), hidden: true });
  const v = view(conversation(), [me, other, ringingLeg], [adele, ringing, failed, hidden]);

  it('`updated` lists everyone joined after the change, in roster order, to every bot leg in the call', () => {
    const joined = { ...alex, rosterSequenceNumber: 9 };
    const sent = rosterToAllLegs(v.legs, v.roster, [joined]);
    // The ringing leg gets no roster; each other leg its own paths.
    expect(sent.map((n) => only(n).resourceUrl)).toEqual([
      '/communications/calls/leg-1/participants',
      '/communications/calls/leg-2/participants',
    ]);
    for (const n of sent) {
      expect(only(n).changeType).toBe('updated');
      // Both bots (bot-p-3 is joined in the fixture), Adele and the newcomer; not the ringing, failed or hidden ones.
      expect(ids(n)).toEqual(['bot-p-1', 'bot-p-2', 'bot-p-3', 'p-adele', 'p-alex']);
    }
  });

  it('a leg with callOptions.isDeltaRosterEnabled gets deltaParticipants: only the change, and its sequenceNumber', () => {
    const deltaLeg = {
      ...me,
      callOptions: { '@odata.type': '#microsoft.graph.outgoingCallOptions', isDeltaRosterEnabled: true },
    };
    const joined = { ...alex, rosterSequenceNumber: 9 };
    const [delta, whole] = rosterToAllLegs([deltaLeg, other], v.roster, [joined]);
    expect(only(delta).resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.deltaParticipants',
      sequenceNumber: 9,
      participants: [{ id: 'p-alex' }],
    });
    expect(ids(whole!)).toEqual(['bot-p-1', 'bot-p-2', 'bot-p-3', 'p-adele', 'p-alex']);
    const left = rosterToAllLegs(
      [deltaLeg],
      v.roster,
      [{ ...adele, status: 'removed', rosterSequenceNumber: 10 }],
      'deleted',
    );
    expect(only(left[0])).toMatchObject({
      changeType: 'deleted',
      resourceData: { sequenceNumber: 10, participants: [{ id: 'p-adele' }] },
    });
  });

  it('`updated` shows the changed participant as changed', () => {
    const muted = { ...adele, isMuted: true };
    const n = rosterToAllLegs([me], v.roster, [muted])[0]!;
    expect((only(n).resourceData as { id: string; isMuted: boolean }[]).find((p) => p.id === 'p-adele')!.isMuted).toBe(
      true,
    );
  });

  it('`deleted` lists only those who left', () => {
    const left = { ...adele, status: 'removed' as const };
    const sent = rosterToAllLegs([me, other], v.roster, [left], 'deleted');
    expect(sent.map((n) => [only(n).changeType, ids(n)])).toEqual([
      ['deleted', ['p-adele']],
      ['deleted', ['p-adele']],
    ]);
  });

  it('says nothing when only a hidden participant changed', () => {
    expect(rosterToAllLegs([me], v.roster, [{ ...hidden, isMuted: true }])).toEqual([]);
  });
});

describe('rosterAfter', () => {
  it('applies the changes by id and keeps the joined, visible participants', () => {
    const a = participant({ id: 'a', identity: user(USERS.adele) });
    const b = participant({ id: 'b', status: 'inviting', identity: user(USERS.alex) });
    expect(rosterAfter([a, b], [{ ...b, status: 'joined' }]).map((p) => [p.id, p.status])).toEqual([
      ['a', 'joined'],
      ['b', 'joined'],
    ]);
    expect(rosterAfter([a, b], [{ ...a, status: 'removed' }]).map((p) => p.id)).toEqual([]);
  });
});
