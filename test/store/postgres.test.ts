import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migratePostgres } from '../../src/store/postgres/migrate.js';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import type { Store } from '../../src/store/store.js';
import { describePostgres, TEST_POSTGRES_URL, testSchemas } from '../helpers/postgres.js';
import { runStoreContract } from './contract.js';
import { conversation, leg, note, onlineMeeting, participant, T0, TENANT } from './fixtures.js';

const freshSchema = testSchemas();
const open = (schema = freshSchema(), transactionConcurrency?: number) =>
  openPostgresStore({
    connectionString: TEST_POSTGRES_URL,
    schema,
    ...(transactionConcurrency ? { transactionConcurrency } : {}),
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describePostgres('postgres store', () => {
  runStoreContract('postgres', () => open(), { oneAtATime: false });
  runStoreContract('postgres, one transaction at a time', () => open(undefined, 1));

  describe('postgres specifics', () => {
    it('migrates once, even when several instances start at once, and keeps data across a reopen', async () => {
      const schema = freshSchema();
      const stores = await Promise.all([open(schema), open(schema), open(schema)]);
      await stores[0].transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putLeg(leg());
        await tx.appendNotifications([note('call-1', 1)]);
        await tx.putOnlineMeeting(onlineMeeting());
      });
      await Promise.all(stores.map((s) => s.close()));
      const again = await open(schema);
      expect(await again.transact((tx) => tx.getLeg('call-1'))).toEqual(leg());
      expect(
        await again.transact((tx) => tx.onlineMeetingByJoinMeetingId(TENANT, onlineMeeting().joinMeetingId)),
      ).toEqual(onlineMeeting());
      await again.close();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      const { rows } = await client.query(`SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`);
      await client.end();
      expect(rows).toEqual([
        { version: 1, name: 'init' },
        { version: 2, name: 'instances' },
        { version: 3, name: 'online_meetings' },
        { version: 4, name: 'participant_identity_key' },
        { version: 5, name: 'world_changes' },
        { version: 6, name: 'outbox_requeued_at' },
        { version: 7, name: 'events' },
        { version: 8, name: 'retention_indexes' },
        { version: 9, name: 'outbox_body_lz4' },
      ]);
    });

    it('migration 9 compresses outbox bodies with lz4 where the server has it, and they read back whole', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      const body = {
        value: [{ resourceData: Array.from({ length: 200 }, (_, i) => ({ id: `p-${i}`, n: 'x'.repeat(40) })) }],
      };
      await store.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.appendNotifications([
          { ...note('call-1', 1), notification: { ...note('call-1', 1).notification, body } },
        ]);
      });
      expect((await store.outbox.list({}))[0]?.body).toEqual(body);
      await store.close();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      const hasLz4 = (
        await client.query(
          "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)",
        )
      ).rowCount;
      // attcompression and pg_column_compression exist from PostgreSQL 14, as lz4 does.
      const { rows } = hasLz4
        ? await client.query<{ method: string | null; stored: string | null }>(
            `SELECT (SELECT attcompression::text FROM pg_attribute WHERE attrelid = '"${schema}".outbox'::regclass AND attname = 'body') AS method,
                    (SELECT pg_column_compression(body) FROM "${schema}".outbox LIMIT 1) AS stored`,
          )
        : { rows: [] };
      await client.end();
      if (hasLz4) expect(rows[0]).toEqual({ method: 'l', stored: 'lz4' });
    });

    it('migration 4 keys the participants written before it, so an invite finds them by identity', async () => {
      const schema = freshSchema();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, options: `-c search_path="${schema}"` });
      await client.connect();
      await migratePostgres(client, { schema, migrations: PG_MIGRATIONS.filter((m) => m.version <= 3) });
      const rows = [
        participant({ id: 'p-user', identity: { user: { id: 'AAAA-Ada' }, tenantId: TENANT } }),
        participant({ id: 'p-phone', createdAt: T0 + 1, identity: { phone: { id: '+12345678901' } } }),
        participant({ id: 'p-bot', createdAt: T0 + 2, identity: { application: { id: 'Bot-App' }, user: null } }),
        participant({ id: 'p-noid', createdAt: T0 + 3, identity: { user: { displayName: 'no id' } } }),
      ];
      for (const p of rows) {
        await client.query(
          'INSERT INTO participants (id, conversation_id, call_leg_id, created_at, doc) VALUES ($1, $2, $3, $4, $5)',
          [p.id, p.conversationId, p.callLegId, p.createdAt, JSON.stringify(p)],
        );
      }
      await client.end();

      const store = await open(schema);
      const found = await store.transact((tx) =>
        tx.participantsWithIdentityKeys('conv-1', ['user:aaaa-ada', 'phone:+12345678901', 'application:bot-app']),
      );
      expect(found.map((p) => p.id)).toEqual(['p-user', 'p-phone', 'p-bot']);
      expect(await store.transact((tx) => tx.participantCount('conv-1'))).toBe(4);
      await store.close();
    });

    it('serializes commands on one conversation across instances (no lost update)', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      await a.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putLeg(leg());
      });
      // Each instance loads via the leg (as commands do), then bumps the conversation.
      const bump = (s: Store) =>
        s.transact(async (tx) => {
          const l = await tx.getLeg('call-1');
          const c = await tx.getConversation(l!.conversationId);
          await sleep(2);
          await tx.putConversation({ ...c!, rosterSequence: c!.rosterSequence + 1 });
        });
      await Promise.all(Array.from({ length: 10 }, (_, i) => bump(i % 2 === 0 ? a : b)));
      expect((await a.transact((tx) => tx.getConversation('conv-1')))?.rosterSequence).toBe(10);
      await Promise.all([a.close(), b.close()]);
    });

    it('re-reads a participant after waiting for its conversation', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      await a.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putParticipant(participant());
      });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const holding = new Promise<void>((r) => (locked = r));
      const writer = a.transact(async (tx) => {
        await tx.getConversation('conv-1');
        locked();
        await gate;
        await tx.putParticipant(participant({ isMuted: true }));
      });
      await holding;
      const reader = b.transact((tx) => tx.getParticipant('p-1'));
      await sleep(50);
      release();
      await writer;
      expect((await reader)?.isMuted).toBe(true);
      await Promise.all([a.close(), b.close()]);
    });

    it('participantWithView reads the group the participant is in once its lock is held, even after a move', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      await a.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putConversation(conversation({ id: 'conv-2' }));
        await tx.putParticipant(participant());
        await tx.putParticipant(participant({ id: 'p-2' }));
      });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const holding = new Promise<void>((r) => (locked = r));
      // Another instance holds conv-1 and moves p-1 into conv-2 (with a leg there) while the reader waits for conv-1.
      const writer = a.transact(async (tx) => {
        await tx.getConversation('conv-1');
        locked();
        await gate;
        await tx.putParticipant(participant({ conversationId: 'conv-2', isMuted: true }));
        await tx.putLeg(leg({ id: 'call-2', conversationId: 'conv-2' }));
      });
      await holding;
      const order: string[] = [];
      let read!: () => void;
      const hasRead = new Promise<void>((r) => (read = r));
      const reader = b.transact(async (tx) => {
        const found = await tx.participantWithView('p-1');
        read();
        await sleep(100);
        order.push('reader committed');
        return found;
      });
      await sleep(50);
      release();
      await writer;
      await hasRead;
      // The reader holds conv-2's lock now (where p-1 is), so a command on conv-2 waits for it.
      await a.transact((tx) => tx.getConversation('conv-2'));
      order.push('conv-2 locked');
      const found = await reader;
      expect(order).toEqual(['reader committed', 'conv-2 locked']);
      expect(found?.participant).toMatchObject({ conversationId: 'conv-2', isMuted: true });
      expect(found?.view?.conversation.id).toBe('conv-2');
      expect(found?.view?.legs.map((l) => l.id)).toEqual(['call-2']);
      expect(found?.view?.roster.map((p) => p.id)).toEqual(['p-1']);
      await Promise.all([a.close(), b.close()]);
    });

    it('hands out one parsed participant while its stored text is unchanged, and a fresh one once another instance changed it', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      await a.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putLeg(leg());
        await tx.putParticipant(participant());
        await tx.putParticipant(participant({ id: 'p-2', identity: { user: { id: 'u3' }, tenantId: TENANT } }));
      });
      const roster = async () => (await a.transact((tx) => tx.participantWithView('p-1')))!.view!.roster;
      const first = await roster();
      const second = await roster();
      expect(second.map((p) => p.id)).toEqual(['p-1', 'p-2']);
      // The same objects, so the domain's per-object rendering of a roster entry is reused (notifications.ts).
      expect(second[0]).toBe(first[0]);
      expect(second[1]).toBe(first[1]);
      expect(await a.transact((tx) => tx.getParticipant('p-2'))).toBe(first[1]);
      const slice = await a.transact((tx) => tx.legWithRosterSlice('call-1', ['user:u3']));
      expect(slice?.withIdentityKeys.map((p) => p.id)).toEqual(['p-2']);
      // Another instance changes p-1: this one reads the new text, so a new value; p-2 is still the kept one.
      await b.transact((tx) => tx.putParticipant(participant({ isMuted: true })));
      const third = await roster();
      expect(third[0]).not.toBe(first[0]);
      expect(third[0]).toMatchObject({ id: 'p-1', isMuted: true });
      expect(third[1]).toBe(first[1]);
      expect(await a.transact((tx) => tx.participantsInConversation('conv-1'))).toEqual(third);
      await Promise.all([a.close(), b.close()]);
    });
    it('a batch that fails before its PREPAREs ran leaves the connection usable for those statements', async () => {
      const store = await open(undefined, 1);
      // bigint out of range: the conversation's INSERT fails, so the leg's PREPARE after it in the batch never runs.
      await expect(
        store.transact(async (tx) => {
          await tx.putConversation(conversation({ createdAt: 1e300 }));
          await tx.putLeg(leg());
        }),
      ).rejects.toThrow(/out of range/);
      // The same pooled connection (one transaction at a time, the last released is reused) runs them again.
      await store.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putLeg(leg());
      });
      expect(await store.transact((tx) => tx.getLeg('call-1'))).toEqual(leg());
      await store.close();
    });

    it('keeps one head per call when appends race with deliveries from another instance', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      const total = 40;
      let appended = 0;
      const appender = (async () => {
        for (let i = 1; i <= total; i++) {
          await a.transact(async (tx) => {
            await tx.appendNotifications([note('call-x', i)]);
            // Hold the transaction open: a delivery finishing now must not miss this row.
            await sleep(3);
          });
          appended++;
        }
      })();
      const delivered: number[] = [];
      let now = T0;
      while (delivered.length < total) {
        const rows = await b.outbox.claimDue(now + 100_000, now + 200_000, 10);
        expect(rows.length).toBeLessThanOrEqual(1);
        for (const r of rows) {
          delivered.push(Number(r.messageId.split('-msg-')[1]));
          await b.outbox.markDelivered(r.seq, now, {
            outboxSeq: r.seq,
            attempt: 1,
            startedAt: now,
            durationMs: 1,
            statusCode: 202,
            error: null,
          });
        }
        if (rows.length === 0 && appended === total && delivered.length < total) {
          throw new Error(`stuck after ${delivered.length} of ${total}: a call lost its head`);
        }
        if (rows.length === 0) await sleep(1);
        now += 1;
      }
      await appender;
      expect(delivered).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      await Promise.all([a.close(), b.close()]);
    });

    it('records the delivery results of one turn in one transaction, and a failing one fails alone', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      const calls = ['call-a', 'call-b', 'call-c', 'call-d'];
      await store.transact((tx) => tx.appendNotifications(calls.flatMap((c) => [1, 2, 3].map((n) => note(c, n)))));
      const attempt = (seq: number, statusCode = 202) => ({
        outboxSeq: seq,
        attempt: 1,
        startedAt: T0,
        durationMs: 3,
        statusCode,
        error: null,
      });
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, options: `-c search_path="${schema}"` });
      await client.connect();
      const transactionsOf = async (seqs: number[]) =>
        (
          await client.query<{ n: number }>(
            'SELECT count(DISTINCT xmin::text)::int AS n FROM delivery_attempts WHERE outbox_seq = ANY($1::bigint[])',
            [seqs],
          )
        ).rows[0]!.n;

      // Round 1: the four heads, all delivered in one turn: one commit for all, each call's next row its head.
      const heads = await store.outbox.claimDue(T0, T0 + 60_000, 10);
      expect(heads.map((r) => r.messageId)).toEqual(calls.map((c) => `${c}-msg-1`));
      await Promise.all(heads.map((r) => store.outbox.markDelivered(r.seq, T0 + 1, attempt(r.seq))));
      expect(await transactionsOf(heads.map((r) => r.seq))).toBe(1);

      // Round 2: one result cannot be stored (status out of the column's range): it alone fails, the others land.
      const next = await store.outbox.claimDue(T0 + 2, T0 + 60_000, 10);
      expect(next.map((r) => r.messageId)).toEqual(calls.map((c) => `${c}-msg-2`));
      const results = await Promise.allSettled(
        next.map((r, i) => store.outbox.markDelivered(r.seq, T0 + 3, attempt(r.seq, i === 1 ? 2 ** 40 : 202))),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const rows = await store.outbox.list({});
      const delivered = (id: string) => rows.find((r) => r.messageId === id)?.deliveredAt ?? null;
      expect(calls.map((c) => delivered(`${c}-msg-2`))).toEqual([T0 + 3, null, T0 + 3, T0 + 3]);
      // call-b's second row is still its head, leased: nothing of call-b is claimable; the others' third rows are.
      const third = await store.outbox.claimDue(T0 + 4, T0 + 60_000, 10);
      expect(third.map((r) => r.messageId)).toEqual(['call-a-msg-3', 'call-c-msg-3', 'call-d-msg-3']);
      const feed = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE kind = 'delivery'");
      expect(feed.rows[0]!.n).toBe(7);
      await client.end();
      await store.close();
    });

    it('two instances never claim the same row or timer', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      await a.transact(async (tx) => {
        await tx.appendNotifications(Array.from({ length: 60 }, (_, i) => note(`call-${i}`, 1)));
        await tx.putTimers(
          Array.from({ length: 60 }, (_, i) => ({
            id: `t${i}`,
            dueAt: T0,
            kind: 'call.established' as const,
            payload: { callId: `call-${i}` },
          })),
        );
      });
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b)).flatMap((s) => [
          s.outbox.claimDue(T0, T0 + 1000, 10),
          s.timers.claimDue(T0, T0 + 1000, 10),
        ]),
      );
      const rows = claims.filter((_, i) => i % 2 === 0).flat() as { seq: number }[];
      const timers = claims.filter((_, i) => i % 2 === 1).flat() as { id: string }[];
      expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
      expect(new Set(timers.map((t) => t.id)).size).toBe(timers.length);
      expect(rows.length).toBe(60);
      expect(timers.length).toBe(60);
      await Promise.all([a.close(), b.close()]);
    });

    it("frees a dead instance's leased notifications and timers within seconds, not at lease end", async () => {
      const schema = freshSchema();
      // `dead` beats once at open and never again (its heartbeat period is an hour): as if killed right after claiming.
      const dead = await openPostgresStore({ connectionString: TEST_POSTGRES_URL, schema, heartbeatMs: 3_600_000 });
      const live = await openPostgresStore({
        connectionString: TEST_POSTGRES_URL,
        schema,
        heartbeatMs: 50,
        deadAfterMs: 300,
        now: () => T0 + 1,
      });
      await dead.transact(async (tx) => {
        await tx.appendNotifications([note('call-1', 1), note('call-1', 2)]);
        await tx.putTimers([{ id: 't1', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } }]);
      });
      const [row] = await dead.outbox.claimDue(T0, T0 + 60_000, 10);
      expect((await dead.timers.claimDue(T0, T0 + 60_000, 10)).map((t) => t.id)).toEqual(['t1']);
      // Leased for a minute: nobody else may take them while their holder lives.
      expect(await live.outbox.claimDue(T0 + 1, T0 + 1000, 10)).toEqual([]);
      expect(await live.timers.claimDue(T0 + 1, T0 + 1000, 10)).toEqual([]);
      let freedRows: { seq: number; messageId: string }[] = [];
      for (let i = 0; i < 100 && freedRows.length === 0; i++) {
        await sleep(50);
        freedRows = await live.outbox.claimDue(T0 + 2, T0 + 1000, 10);
      }
      // The same head comes back (same message id, so a bot sees a retry), not the row queued behind it.
      expect(freedRows.map((r) => r.messageId)).toEqual([row!.messageId]);
      expect((await live.timers.claimDue(T0 + 2, T0 + 1000, 10)).map((t) => t.id)).toEqual(['t1']);
      await Promise.all([dead.close(), live.close()]);
    });

    it('a reset waits for a command another instance has in progress, so what that command writes is dropped too', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      await a.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putLeg(leg());
      });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let read!: () => void;
      const hasRead = new Promise<void>((r) => (read = r));
      // A command that has loaded the leg and writes it back later (as every command does).
      const command = a.transact(async (tx) => {
        const l = await tx.getLeg('call-1');
        read();
        await gate;
        await tx.putLeg({ ...l!, version: l!.version + 1 });
        await tx.appendNotifications([note('call-1', 1)]);
      });
      await hasRead;
      const reset = b.reset(T0);
      await sleep(50);
      release();
      await command;
      expect((await reset).calls).toBe(1);
      // Had the reset deleted first, the command's write would have brought the leg (and a notification) back.
      expect(await b.transact((tx) => tx.getLeg('call-1'))).toBeUndefined();
      expect(await b.outbox.list({})).toEqual([]);
      await Promise.all([a.close(), b.close()]);
    });

    it('fails loudly after close', async () => {
      const store = await open();
      await store.close();
      await store.close();
      await expect(store.transact(() => Promise.resolve(1))).rejects.toThrow(/closed/);
      await expect(store.outbox.nextDueAt()).rejects.toThrow();
      // The readiness check and reset see a closed store as down.
      await expect(store.schemaStatus()).rejects.toThrow();
      await expect(store.reset(T0)).rejects.toThrow(/closed/);
    });
  });
});
