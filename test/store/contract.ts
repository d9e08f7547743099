/**
 * The `Store` contract, shared by every backend (Hono's shared-suite pattern): `runStoreContract('sqlite', open)`
 * now, PostgreSQL next. `open` must return a fresh, empty store each time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { identityKey } from '../../src/domain/identity.js';
import { runQueueContract } from './contract-queues.js';
import { runResetContract } from './contract-reset.js';
import { runEventContract } from './contract-events.js';
import { runRetentionContract } from './contract-retention.js';
import { conversation, leg, note, onlineMeeting, operation, participant, T0, TENANT } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ContractOptions {
  /** The store runs one transaction at a time, in call order (SQLite; PostgreSQL with transactionConcurrency 1). */
  oneAtATime: boolean;
}

export function runStoreContract(
  name: string,
  open: () => Promise<Store>,
  options: ContractOptions = { oneAtATime: true },
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('entities', () => {
      it('round-trips every entity and replaces on put', async () => {
        const c = conversation();
        const l = leg({
          callOptions: {
            '@odata.type': '#microsoft.graph.outgoingCallOptions',
            isContentSharingNotificationEnabled: true,
          },
        });
        const p = participant({ outcome: { code: 200, subcode: 0, message: 'ok' } });
        const op = operation();
        await store.transact(async (tx) => {
          await tx.putConversation(c);
          await tx.putLeg(l);
          await tx.putParticipant(p);
          await tx.putOperation(op);
        });
        await store.transact(async (tx) => {
          expect(await tx.getConversation(c.id)).toEqual(c);
          expect(await tx.getLeg(l.id)).toEqual(l);
          expect(await tx.getParticipant(p.id)).toEqual(p);
          expect(await tx.getOperation(op.id)).toEqual(op);
          expect(await tx.getConversation('nope')).toBeUndefined();
          expect(await tx.getLeg('nope')).toBeUndefined();
          expect(await tx.getParticipant('nope')).toBeUndefined();
          expect(await tx.getOperation('nope')).toBeUndefined();
        });
        await store.transact(async (tx) => {
          await tx.putConversation({ ...c, rosterSequence: 7 });
          await tx.putLeg({ ...l, state: 'hold', version: 2 });
          await tx.putParticipant({ ...p, isMuted: true });
          await tx.putOperation({ ...op, status: 'Completed' });
        });
        await store.transact(async (tx) => {
          expect((await tx.getConversation(c.id))?.rosterSequence).toBe(7);
          expect(await tx.getLeg(l.id)).toMatchObject({ state: 'hold', version: 2 });
          expect((await tx.getParticipant(p.id))?.isMuted).toBe(true);
          expect((await tx.getOperation(op.id))?.status).toBe('Completed');
        });
      });

      it('lists legs and participants of a conversation in creation order', async () => {
        await store.transact(async (tx) => {
          await tx.putLeg(leg({ id: 'call-b', createdAt: T0 + 2 }));
          await tx.putLeg(leg({ id: 'call-a', createdAt: T0 + 1 }));
          await tx.putLeg(leg({ id: 'call-other', conversationId: 'conv-2' }));
          await tx.putParticipant(participant({ id: 'p-z', createdAt: T0 }));
          await tx.putParticipant(participant({ id: 'p-y', createdAt: T0 }));
          await tx.putParticipant(participant({ id: 'p-x', createdAt: T0 - 1 }));
          await tx.putParticipant(participant({ id: 'p-other', conversationId: 'conv-2' }));
        });
        await store.transact(async (tx) => {
          expect((await tx.legsInConversation('conv-1')).map((l) => l.id)).toEqual(['call-a', 'call-b']);
          // Same createdAt: insertion order (roster order is join order).
          expect((await tx.participantsInConversation('conv-1')).map((p) => p.id)).toEqual(['p-x', 'p-z', 'p-y']);
          expect(await tx.legsInConversation('conv-none')).toEqual([]);
        });
      });

      it("finds a conversation's participants by identity key (any status, roster order) and counts them, without the rest", async () => {
        await store.transact(async (tx) => {
          await tx.putParticipant(
            participant({ id: 'p-ada', createdAt: T0, identity: { user: { id: 'AAAA-Ada', displayName: 'Ada' } } }),
          );
          await tx.putParticipant(participant({ id: 'p-bob', createdAt: T0, identity: { user: { id: 'bbbb-bob' } } }));
          await tx.putParticipant(
            participant({
              id: 'p-ada-old',
              createdAt: T0 - 1,
              status: 'removed',
              identity: { user: { id: 'aaaa-ada' } },
            }),
          );
          await tx.putParticipant(
            participant({ id: 'p-phone', kind: 'phone', identity: { phone: { id: '+12345678901' } } }),
          );
          await tx.putParticipant(
            participant({ id: 'p-bot', kind: 'application', identity: { application: { id: 'bot-app' } } }),
          );
          await tx.putParticipant(
            participant({ id: 'p-ada-elsewhere', conversationId: 'conv-2', identity: { user: { id: 'aaaa-ada' } } }),
          );
        });
        await store.transact(async (tx) => {
          // Keys are identityKey's: user ids lower-cased, phones as given.
          expect((await tx.participantsWithIdentityKeys('conv-1', ['user:aaaa-ada'])).map((p) => p.id)).toEqual([
            'p-ada-old',
            'p-ada',
          ]);
          expect(
            (
              await tx.participantsWithIdentityKeys('conv-1', ['phone:+12345678901', 'user:bbbb-bob', 'user:nobody'])
            ).map((p) => p.id),
          ).toEqual(['p-bob', 'p-phone']);
          expect(await tx.participantsWithIdentityKeys('conv-1', [])).toEqual([]);
          expect(await tx.participantsWithIdentityKeys('conv-none', ['user:aaaa-ada'])).toEqual([]);
          expect(await tx.participantCount('conv-1')).toBe(5);
          expect(await tx.participantCount('conv-2')).toBe(1);
          expect(await tx.participantCount('conv-none')).toBe(0);
        });
        // A participant whose identity changes (upsert) is found under its new key only.
        await store.transact(async (tx) => {
          await tx.putParticipant(
            participant({ id: 'p-bob', createdAt: T0, identity: { user: { id: 'cccc-carol' } } }),
          );
        });
        await store.transact(async (tx) => {
          expect(await tx.participantsWithIdentityKeys('conv-1', ['user:bbbb-bob'])).toEqual([]);
          expect((await tx.participantsWithIdentityKeys('conv-1', ['user:cccc-carol'])).map((p) => p.id)).toEqual([
            'p-bob',
          ]);
          expect(await tx.participantCount('conv-1')).toBe(5);
        });
      });

      it('participantWithView reads a participant with its conversation, legs and whole roster', async () => {
        await store.transact(async (tx) => {
          await tx.putConversation(conversation());
          await tx.putLeg(leg({ id: 'call-b', createdAt: T0 + 2 }));
          await tx.putLeg(leg({ id: 'call-a', createdAt: T0 + 1 }));
          await tx.putLeg(leg({ id: 'call-other', conversationId: 'conv-2' }));
          await tx.putParticipant(participant({ id: 'p-z', createdAt: T0 }));
          await tx.putParticipant(participant({ id: 'p-x', createdAt: T0 - 1, status: 'removed' }));
          await tx.putParticipant(participant({ id: 'p-other', conversationId: 'conv-2' }));
        });
        await store.transact(async (tx) => {
          const found = await tx.participantWithView('p-z');
          expect(found?.participant).toEqual(await tx.getParticipant('p-z'));
          expect(found?.view?.conversation).toEqual(await tx.getConversation('conv-1'));
          expect(found?.view?.legs.map((l) => l.id)).toEqual(['call-a', 'call-b']);
          expect(found?.view?.roster.map((p) => p.id)).toEqual(['p-x', 'p-z']);
          expect(await tx.participantWithView('nope')).toBeUndefined();
          // conv-2 has legs and a participant but no conversation row: the participant, without a view.
          expect(await tx.participantWithView('p-other')).toEqual({
            participant: await tx.getParticipant('p-other'),
            view: undefined,
          });
        });
      });

      it("legWithRosterSlice reads a leg with its conversation, legs, roster size and invitees' namesakes", async () => {
        await store.transact(async (tx) => {
          await tx.putConversation(conversation());
          await tx.putLeg(leg({ id: 'call-b', createdAt: T0 + 2 }));
          await tx.putLeg(leg({ id: 'call-a', createdAt: T0 + 1 }));
          await tx.putLeg(leg({ id: 'call-other', conversationId: 'conv-2' }));
          await tx.putParticipant(participant({ id: 'p-ada', identity: { user: { id: 'aaaa-ada' } } }));
          await tx.putParticipant(participant({ id: 'p-bob', identity: { user: { id: 'bbbb-bob' } } }));
          await tx.putParticipant(
            participant({ id: 'p-ada-elsewhere', conversationId: 'conv-2', identity: { user: { id: 'aaaa-ada' } } }),
          );
        });
        await store.transact(async (tx) => {
          const found = await tx.legWithRosterSlice('call-b', ['user:aaaa-ada', 'user:nobody']);
          expect(found?.leg).toEqual(await tx.getLeg('call-b'));
          expect(found?.conversation).toEqual(await tx.getConversation('conv-1'));
          expect(found?.legs.map((l) => l.id)).toEqual(['call-a', 'call-b']);
          expect(found?.rosterSize).toBe(2);
          expect(found?.withIdentityKeys.map((p) => p.id)).toEqual(['p-ada']);
          expect((await tx.legWithRosterSlice('call-a', []))?.withIdentityKeys).toEqual([]);
          expect(await tx.legWithRosterSlice('nope', ['user:aaaa-ada'])).toBeUndefined();
          // conv-2 has no conversation row.
          expect(await tx.legWithRosterSlice('call-other', ['user:aaaa-ada'])).toMatchObject({
            conversation: undefined,
            rosterSize: 1,
            withIdentityKeys: [{ id: 'p-ada-elsewhere' }],
          });
        });
      });

      it('deleteLeg removes the leg but keeps its operations', async () => {
        await store.transact(async (tx) => {
          await tx.putLeg(leg());
          await tx.putOperation(operation());
        });
        await store.transact((tx) => tx.deleteLeg('call-1'));
        await store.transact(async (tx) => {
          expect(await tx.getLeg('call-1')).toBeUndefined();
          expect(await tx.legsInConversation('conv-1')).toEqual([]);
          expect(await tx.getOperation('op-1')).toEqual(operation());
        });
      });

      it("read side: listLegs lists every live leg, operationsOfCall a call's operations, both in creation order", async () => {
        await store.transact(async (tx) => {
          await tx.putLeg(leg({ id: 'call-b', createdAt: T0 + 2 }));
          await tx.putLeg(leg({ id: 'call-a', createdAt: T0 + 1 }));
          await tx.putLeg(leg({ id: 'call-other', conversationId: 'conv-2', createdAt: T0 + 3 }));
          await tx.putOperation(operation({ id: 'op-2', callId: 'call-a', createdAt: T0 + 5 }));
          await tx.putOperation(operation({ id: 'op-1', callId: 'call-a', createdAt: T0 + 4 }));
          await tx.putOperation(operation({ id: 'op-3', callId: 'call-b', createdAt: T0 + 4 }));
        });
        await store.transact((tx) => tx.deleteLeg('call-a'));
        await store.transact(async (tx) => {
          expect((await tx.listLegs()).map((l) => l.id)).toEqual(['call-b', 'call-other']);
          // Operations outlive their leg.
          expect((await tx.operationsOfCall('call-a')).map((o) => o.id)).toEqual(['op-1', 'op-2']);
          expect(await tx.operationsOfCall('call-none')).toEqual([]);
        });
      });

      it('findConversationByThreadId finds the live conversation of a thread only', async () => {
        const thread = '19:meeting_abc@thread.v2';
        await store.transact(async (tx) => {
          // An earlier conversation on the same thread that everyone left.
          await tx.putConversation(conversation({ id: 'conv-old', createdAt: T0 - 1000 }));
          await tx.putConversation(conversation({ id: 'conv-1' }));
          await tx.putConversation(conversation({ id: 'conv-nochat', chatInfo: null }));
          await tx.putLeg(leg({ id: 'call-1', conversationId: 'conv-1' }));
        });
        await store.transact(async (tx) => {
          expect((await tx.findConversationByThreadId(TENANT, thread))?.id).toBe('conv-1');
          expect(await tx.findConversationByThreadId('other-tenant', thread)).toBeUndefined();
          expect(await tx.findConversationByThreadId(TENANT, '19:other@thread.v2')).toBeUndefined();
        });
        await store.transact((tx) => tx.deleteLeg('call-1'));
        expect(await store.transact((tx) => tx.findConversationByThreadId(TENANT, thread))).toBeUndefined();
      });
    });

    describe('online meetings', () => {
      it('round-trips a meeting and finds it by id, thread and join meeting id within its tenant only', async () => {
        const m = onlineMeeting();
        const other = onlineMeeting({ id: 'm-2', threadId: '19:meeting_def@thread.v2', joinMeetingId: '5550001111' });
        await store.transact(async (tx) => {
          await tx.putOnlineMeeting(m);
          await tx.putOnlineMeeting(other);
        });
        await store.transact(async (tx) => {
          expect(await tx.getOnlineMeeting(m.id)).toEqual(m);
          expect(await tx.onlineMeetingByThreadId(TENANT, m.threadId)).toEqual(m);
          expect(await tx.onlineMeetingByJoinMeetingId(TENANT, '5550001111')).toEqual(other);
          expect(await tx.getOnlineMeeting('nope')).toBeUndefined();
          expect(await tx.onlineMeetingByThreadId('other-tenant', m.threadId)).toBeUndefined();
          expect(await tx.onlineMeetingByJoinMeetingId('other-tenant', m.joinMeetingId)).toBeUndefined();
          expect(await tx.onlineMeetingByJoinMeetingId(TENANT, '0000000000')).toBeUndefined();
        });
        await store.transact((tx) => tx.putOnlineMeeting({ ...m, subject: 'Renamed' }));
        expect((await store.transact((tx) => tx.getOnlineMeeting(m.id)))?.subject).toBe('Renamed');
      });

      it("lists a tenant's meetings oldest first and deletes one (false when there is none)", async () => {
        const first = onlineMeeting();
        const second = onlineMeeting({
          id: 'm-2',
          threadId: '19:meeting_def@thread.v2',
          joinMeetingId: '5550001111',
          createdAt: first.createdAt + 1,
        });
        await store.transact(async (tx) => {
          await tx.putOnlineMeeting(second);
          await tx.putOnlineMeeting(first);
        });
        expect(await store.transact((tx) => tx.onlineMeetingsOfTenant(TENANT))).toEqual([first, second]);
        expect(await store.transact((tx) => tx.onlineMeetingsOfTenant('other-tenant'))).toEqual([]);
        expect(await store.transact((tx) => tx.deleteOnlineMeeting(first.id))).toBe(true);
        expect(await store.transact((tx) => tx.deleteOnlineMeeting(first.id))).toBe(false);
        await store.transact(async (tx) => {
          expect(await tx.getOnlineMeeting(first.id)).toBeUndefined();
          expect(await tx.onlineMeetingByThreadId(TENANT, first.threadId)).toBeUndefined();
          expect(await tx.onlineMeetingsOfTenant(TENANT)).toEqual([second]);
        });
      });

      it('refuses a second meeting with the same thread or join meeting id in a tenant, and rolls it back', async () => {
        await store.transact((tx) => tx.putOnlineMeeting(onlineMeeting()));
        await expect(
          store.transact((tx) => tx.putOnlineMeeting(onlineMeeting({ id: 'm-dup-thread', joinMeetingId: '1' }))),
        ).rejects.toThrow();
        await expect(
          store.transact((tx) => tx.putOnlineMeeting(onlineMeeting({ id: 'm-dup-join', threadId: '19:x@thread.v2' }))),
        ).rejects.toThrow();
        await store.transact(async (tx) => {
          expect(await tx.getOnlineMeeting('m-dup-thread')).toBeUndefined();
          expect(await tx.getOnlineMeeting('m-dup-join')).toBeUndefined();
        });
      });
    });

    describe('transact', () => {
      it('returns the callback value', async () => {
        expect(await store.transact(() => Promise.resolve(42))).toBe(42);
      });

      it('rolls back everything when the callback throws', async () => {
        const boom = new Error('boom');
        await expect(
          store.transact(async (tx) => {
            await tx.putConversation(conversation());
            await tx.putLeg(leg());
            await tx.putParticipant(participant());
            await tx.putOperation(operation());
            await tx.appendNotifications([note('call-1', 1)]);
            await tx.putTimers([{ id: 't1', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } }]);
            throw boom;
          }),
        ).rejects.toBe(boom);
        await store.transact(async (tx) => {
          expect(await tx.getConversation('conv-1')).toBeUndefined();
          expect(await tx.getLeg('call-1')).toBeUndefined();
          expect(await tx.getParticipant('p-1')).toBeUndefined();
          expect(await tx.getOperation('op-1')).toBeUndefined();
        });
        expect(await store.outbox.list({})).toEqual([]);
        expect(await store.timers.claimDue(T0 + 1, T0 + 100, 10)).toEqual([]);
        expect(await store.outbox.nextDueAt()).toBeNull();
      });

      it('runs concurrent transactions on one conversation one after the other; a failing one rolls back alone', async () => {
        await store.transact((tx) => tx.putConversation(conversation({ id: 'conv-shared' })));
        const log: string[] = [];
        const run = (name: string, fail: boolean) =>
          store.transact(async (tx) => {
            await tx.getConversation('conv-shared'); // a command loads what it changes: this serializes it
            log.push(`${name}:begin`);
            await tx.putConversation(conversation({ id: `conv-${name}` }));
            await sleep(5);
            log.push(`${name}:end`);
            if (fail) throw new Error(name);
          });
        const results = await Promise.allSettled([run('a', false), run('b', true), run('c', false)]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        // Never interleaved: every begin is followed by its own end.
        for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]!.replace(':begin', ':end'));
        if (options.oneAtATime) expect(log).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
        await store.transact(async (tx) => {
          expect(await tx.getConversation('conv-a')).toBeDefined();
          expect(await tx.getConversation('conv-b')).toBeUndefined();
          expect(await tx.getConversation('conv-c')).toBeDefined();
        });
      });

      if (!options.oneAtATime) {
        it('runs transactions on different conversations at the same time', async () => {
          // Each waits for the other to have started: this only finishes if both are in flight at once.
          const latch = () => {
            let open!: () => void;
            const opened = new Promise<void>((r) => (open = r));
            return { open, opened };
          };
          const [a, b] = [latch(), latch()];
          const run = (id: string, mine: ReturnType<typeof latch>, theirs: ReturnType<typeof latch>) =>
            store.transact(async (tx) => {
              await tx.getConversation(id);
              mine.open();
              await theirs.opened;
              await tx.putConversation(conversation({ id }));
            });
          await Promise.all([run('conv-x', a, b), run('conv-y', b, a)]);
          expect((await store.transact((tx) => tx.getConversation('conv-y')))?.id).toBe('conv-y');
        });
      }

      it('loses no update under concurrent read-modify-write', async () => {
        await store.transact((tx) => tx.putConversation(conversation()));
        await Promise.all(
          Array.from({ length: 20 }, () =>
            store.transact(async (tx) => {
              const c = await tx.getConversation('conv-1');
              await sleep(1);
              await tx.putConversation({ ...c!, rosterSequence: c!.rosterSequence + 1 });
            }),
          ),
        );
        expect((await store.transact((tx) => tx.getConversation('conv-1')))?.rosterSequence).toBe(20);
      });

      it('stores text with quotes, backslashes, dollar placeholders and non-ASCII exactly', async () => {
        const nasty = `O'Brien \\ "x" \\\\' $1 $$ E'\\n' -- ; DROP TABLE outbox; ☎ 𝄞 \u2028`;
        const p = participant({ identity: { user: { id: `u-${nasty}`, displayName: nasty }, tenantId: TENANT } });
        await store.transact(async (tx) => {
          await tx.putConversation(conversation({ id: 'conv-1' }));
          await tx.putParticipant(p);
          await tx.appendNotifications([
            {
              ...note('call-1', 1),
              notification: { ...note('call-1', 1).notification, body: { value: [{ text: nasty }] } },
            },
          ]);
        });
        await store.transact(async (tx) => {
          expect(await tx.getParticipant('p-1')).toEqual(p);
          expect(await tx.participantsWithIdentityKeys('conv-1', [identityKey(p.identity)!, 'user:none'])).toEqual([p]);
        });
        expect((await store.outbox.list({}))[0]?.body).toEqual({ value: [{ text: nasty }] });
      });

      it('reads in a transaction see its own earlier writes', async () => {
        await store.transact(async (tx) => {
          await tx.putConversation(conversation());
          await tx.putParticipant(participant());
          expect((await tx.getConversation('conv-1'))?.id).toBe('conv-1');
          expect(await tx.participantCount('conv-1')).toBe(1);
          await tx.putParticipant(participant({ id: 'p-2', createdAt: T0 + 1 }));
          expect((await tx.participantsInConversation('conv-1')).map((x) => x.id)).toEqual(['p-1', 'p-2']);
          await tx.putTimers([{ id: 't-own', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } }]);
          expect(await tx.deleteTimer('t-own')).toBe(true);
          expect(await tx.deleteTimer('t-own')).toBe(false);
        });
      });

      it('rolls back a transaction whose write fails when it commits', async () => {
        // A message id is unique: the second append breaks the constraint, at once (SQLite) or when the batched
        // writes reach the server (PostgreSQL). Either way nothing of the transaction stays.
        await expect(
          store.transact(async (tx) => {
            await tx.putConversation(conversation());
            await tx.putTimers([{ id: 't-1', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } }]);
            await tx.appendNotifications([note('call-1', 1)]);
            await tx.appendNotifications([note('call-1', 1)]);
          }),
        ).rejects.toThrow();
        expect(await store.transact((tx) => tx.getConversation('conv-1'))).toBeUndefined();
        expect(await store.timers.nextDueAt()).toBeNull();
        expect(await store.outbox.list({})).toEqual([]);
        // The connection it ran on is usable again.
        await store.transact((tx) => tx.putConversation(conversation()));
        expect((await store.transact((tx) => tx.getConversation('conv-1')))?.id).toBe('conv-1');
      });

      it('rejects a Tx used after its transaction ended', async () => {
        const leaked = await store.transact((tx) => Promise.resolve(tx));
        await expect(leaked.getLeg('call-1')).rejects.toThrow();
        await expect(leaked.putLeg(leg())).rejects.toThrow();
        expect(await store.transact((tx) => tx.getLeg('call-1'))).toBeUndefined();
      });
    });

    describe('world changes', () => {
      it('appends changes with increasing seqs and reads them back in order after a seq, bodies exactly', async () => {
        const nasty = `O'Brien \\ "x" $1 -- ; ☎ 𝄞`;
        expect(await store.worldChanges.after(0)).toEqual([]);
        const first = await store.worldChanges.append(
          'behaviour',
          { ref: nasty, answer: { action: 'decline', afterMs: 0 } },
          T0,
        );
        const second = await store.worldChanges.append(
          'faults',
          { faults: [{ on: 'invite', result: { code: 500 } }] },
          T0 + 1,
        );
        expect(second).toBeGreaterThan(first);
        expect(await store.worldChanges.after(0)).toEqual([
          {
            seq: first,
            kind: 'behaviour',
            body: { ref: nasty, answer: { action: 'decline', afterMs: 0 } },
            createdAt: T0,
          },
          {
            seq: second,
            kind: 'faults',
            body: { faults: [{ on: 'invite', result: { code: 500 } }] },
            createdAt: T0 + 1,
          },
        ]);
        expect((await store.worldChanges.after(first)).map((c) => c.seq)).toEqual([second]);
        expect(await store.worldChanges.after(second)).toEqual([]);
      });

      it('concurrent appends get distinct seqs, and a reader never sees a later one without every earlier one', async () => {
        const seen: number[][] = [];
        const reads = (async () => {
          for (let i = 0; i < 60; i++) seen.push((await store.worldChanges.after(0)).map((c) => c.seq));
        })();
        const seqs = await Promise.all(
          Array.from({ length: 60 }, (_, i) => store.worldChanges.append('behaviour', { ref: `u-${i}` }, T0 + i)),
        );
        await reads;
        expect(new Set(seqs).size).toBe(60);
        const all = (await store.worldChanges.after(0)).map((c) => c.seq);
        expect(all).toEqual([...seqs].sort((a, b) => a - b));
        // Every read is a prefix of the final order: nothing seen with a gap that fills in later.
        for (const read of seen) expect(all.slice(0, read.length)).toEqual(read);
      });

      it('a softphone lease keeps one row: a renewal supersedes it, a lease that ended a while ago goes', async () => {
        const REAL = 1_800_000_000_000; // lease times are real time, apart from the world's clock
        const lease = (leaseId: string, until: number, at: number) => ({ personKey: 'user:u1', leaseId, until, at });
        const before = await store.worldChanges.append('behaviour', { ref: 'u1' }, T0);
        await store.worldChanges.appendLease(lease('tab-a', REAL + 30_000, REAL), T0, REAL - 30_000);
        await store.worldChanges.appendLease(lease('tab-b', REAL + 30_000, REAL), T0, REAL - 30_000);
        const renewed = await store.worldChanges.appendLease(
          lease('tab-a', REAL + 40_000, REAL + 10_000),
          T0 + 1,
          REAL - 20_000,
        );
        // tab-a's first row is superseded; tab-b's (still running) and the behaviour change stay.
        const leases = async () =>
          (await store.worldChanges.after(0)).map((c) =>
            c.kind === 'softphone' ? `${String(c.body.leaseId)}:${String(c.body.until)}` : c.kind,
          );
        expect(await leases()).toEqual(['behaviour', `tab-b:${REAL + 30_000}`, `tab-a:${REAL + 40_000}`]);
        expect((await store.worldChanges.after(before)).at(-1)).toEqual({
          seq: renewed,
          kind: 'softphone',
          body: lease('tab-a', REAL + 40_000, REAL + 10_000),
          createdAt: T0 + 1,
        });
        // tab-a closes (a release: until 0); later tab-b's lease has run out long enough: both go at the next append.
        await store.worldChanges.appendLease(lease('tab-a', 0, REAL + 15_000), T0 + 2, REAL - 15_000);
        expect(await leases()).toEqual(['behaviour', `tab-b:${REAL + 30_000}`, 'tab-a:0']);
        await store.worldChanges.appendLease(lease('tab-c', REAL + 120_000, REAL + 90_000), T0 + 3, REAL + 60_000);
        expect(await leases()).toEqual(['behaviour', `tab-c:${REAL + 120_000}`]);
      });
    });

    runQueueContract(() => store);
    runResetContract(() => store);
    runEventContract(() => store);
    runRetentionContract(() => store);
  });
}
