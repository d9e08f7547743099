/**
 * The delta roster (issue 14), Graph's own opt-in: a call created with `callOptions.isDeltaRosterEnabled: true`
 * (v1.0 `callOptions`) gets roster notifications as `deltaParticipants` — the participants changed since the last
 * update and the roster's `sequenceNumber` — while a leg without it keeps getting the whole roster. Through the
 * Graph JS client; the fake bot validates each delta (and each participant in it) against the metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallLeg } from '../../src/domain/types.js';
import { participantWithViewOf, type Tx } from '../../src/store/store.js';
import type { ReceivedNotification } from '../helpers/fake-bot.js';
import {
  inviteUser,
  MEETING_A,
  MEETING_B,
  ORGANIZER,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
} from './fixture.js';

interface Delta {
  '@odata.type': string;
  sequenceNumber: number;
  participants: { id: string; info: { identity: { user?: { id: string }; application?: { id: string } } } }[];
}

describe('delta roster (callOptions.isDeltaRosterEnabled)', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  const join = async (
    callOptions: Record<string, unknown> | undefined,
    threadId: string = MEETING_B,
  ): Promise<string> => {
    const call = (await c.graph.api('/communications/calls').post({
      '@odata.type': '#microsoft.graph.call',
      callbackUri: c.bot.url,
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId, messageId: '0' },
      meetingInfo: {
        '@odata.type': '#microsoft.graph.organizerMeetingInfo',
        organizer: {
          '@odata.type': '#microsoft.graph.identitySet',
          user: { '@odata.type': '#microsoft.graph.identity', id: ORGANIZER, tenantId: TENANT },
        },
      },
      tenantId: TENANT,
      ...(callOptions ? { callOptions } : {}),
    })) as { id: string };
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${call.id}` && n.item.resourceData?.state === 'established',
    );
    return call.id;
  };
  const rosterOf = (callId: string, since: number): ReceivedNotification[] =>
    c.bot.notifications
      .slice(since)
      .filter((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`);
  const ids = (d: Delta): string[] =>
    d.participants.map((p) => p.info.identity.user?.id ?? p.info.identity.application?.id ?? '?');

  it('the opted-in leg gets deltaParticipants with a rising sequenceNumber; the other leg the whole roster', async () => {
    const since = c.bot.notifications.length;
    const delta = await join({ '@odata.type': '#microsoft.graph.outgoingCallOptions', isDeltaRosterEnabled: true });
    const first = await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${delta}/participants`, {
      since,
    });
    const firstData = first.item.resourceData as Delta;
    expect(firstData['@odata.type']).toBe('#microsoft.graph.deltaParticipants');
    expect(firstData.sequenceNumber).toBeGreaterThanOrEqual(1);

    const whole = await join(undefined);
    const invited = await c.raw('POST', `/v1.0/communications/calls/${whole}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
    });
    expect(invited.status).toBe(200);
    const adeleJoined = (n: ReceivedNotification): boolean => JSON.stringify(n.item.resourceData).includes(USERS.adele);
    const deltaUpdate = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${delta}/participants` && adeleJoined(n),
      { since },
    );
    const wholeUpdate = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${whole}/participants` && adeleJoined(n),
      { since },
    );

    // The delta names Adele only; the whole roster has both bots and Adele.
    const d = deltaUpdate.item.resourceData as Delta;
    expect(d['@odata.type']).toBe('#microsoft.graph.deltaParticipants');
    expect(ids(d)).toEqual([USERS.adele]);
    expect(Array.isArray(wholeUpdate.item.resourceData)).toBe(true);
    expect(wholeUpdate.item.resourceData).toHaveLength(3);

    // Every delta the opted-in leg got has a larger sequenceNumber than the one before.
    const seqs = rosterOf(delta, since).map((n) => (n.item.resourceData as Delta).sequenceNumber);
    expect(seqs.length).toBeGreaterThanOrEqual(3);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);

    // Adele hangs up: a `deleted` delta naming her.
    const left = c.bot.notifications.length;
    const participantId = d.participants[0]!.id;
    const hangUp = await c.raw('POST', `/_switchboard/calls/${delta}/participants/${participantId}/actions`, {
      action: 'hangUp',
    });
    expect(hangUp.status, hangUp.text).toBe(200);
    const gone = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${delta}/participants` && n.item.changeType === 'deleted',
      { since: left },
    );
    expect(ids(gone.item.resourceData as Delta)).toEqual([USERS.adele]);
    expect((gone.item.resourceData as Delta).sequenceNumber).toBeGreaterThan(d.sequenceNumber);
  });

  it('when every bot leg asked for deltas, an invitee joining does not read the whole roster', async () => {
    // Counts the store's whole-roster reads (src/service/calling-service.ts, the invitee's answer), its
    // participantWithView made of plain reads (participantWithViewOf), so they pass through here on either store:
    // PostgreSQL's own participantWithView reads the roster in the same round trip, whatever the service needs.
    const store = c.server.sb.store;
    const transact = store.transact.bind(store);
    let rosterReads = 0;
    store.transact = (fn, options) =>
      transact((tx) => {
        const counted: Tx = new Proxy(tx, {
          get(target, key) {
            const value: unknown = Reflect.get(target, key);
            if (typeof value !== 'function') return value;
            if (key === 'participantsInConversation') rosterReads++;
            if (key === 'participantWithView')
              return (id: string, needsRoster?: (legs: readonly CallLeg[]) => boolean) =>
                participantWithViewOf(counted, id, needsRoster);
            return value.bind(target);
          },
        });
        return fn(counted);
      }, options);
    try {
      const inviteAndWait = async (callId: string, user: string): Promise<void> => {
        const since = c.bot.notifications.length;
        rosterReads = 0;
        const invited = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
          participants: [inviteUser(user)],
        });
        expect(invited.status, invited.text).toBe(200);
        await c.bot.waitFor(
          (n) =>
            n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
            JSON.stringify(n.item.resourceData).includes(user),
          { since },
        );
      };
      const deltaOnly = await join(
        { '@odata.type': '#microsoft.graph.outgoingCallOptions', isDeltaRosterEnabled: true },
        MEETING_A,
      );
      await inviteAndWait(deltaOnly, USERS.megan);
      expect(rosterReads).toBe(0);
      // The counter counts: the same invite where a leg gets whole rosters reads it.
      const mixed = await join(undefined, MEETING_A);
      await inviteAndWait(mixed, USERS.alex);
      expect(rosterReads).toBeGreaterThan(0);
    } finally {
      store.transact = transact;
    }
  });
});
