/** The SQLite change feed (`events`); each call takes the store mutex, like every statement outside a transaction. */
import type Database from 'better-sqlite3';
import type { SerialGate } from './store.js';
import type { EventStore } from '../store.js';
import { EVENT_COLUMNS, toFeedEvent, type EventRecord } from '../event-rows.js';

export function createSqliteEvents(db: Database.Database, mutex: SerialGate): EventStore {
  const s = {
    insert: db.prepare<[number, number, string, string | null, string | null, string]>(
      'INSERT INTO events (rt, at, kind, conversation_id, call_id, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    after: db.prepare<[number, number], EventRecord>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
    // The newest `limit`, read newest first by each index and put back in seq order by the caller.
    ofConversation: db.prepare<[string, string, number], EventRecord>(
      `SELECT ${EVENT_COLUMNS} FROM (
         SELECT ${EVENT_COLUMNS} FROM events WHERE conversation_id = ?
         UNION ALL
         SELECT ${EVENT_COLUMNS} FROM events WHERE call_id IN (SELECT value FROM json_each(?)) AND conversation_id IS NULL)
       ORDER BY seq DESC LIMIT ?`,
    ),
    mentioning: db.prepare<[string, number], EventRecord>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE kind = 'command' AND instr(body, ?) > 0 ORDER BY seq DESC LIMIT ?`,
    ),
    latest: db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM events'),
    // Keeps at least the newest row: seq (the rowid) goes on from it.
    prune: db.prepare<[number]>('DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?'),
  };
  const appendAll = db.transaction((events: Parameters<EventStore['append']>[0]) => {
    for (const e of events) s.insert.run(e.rt, e.at, e.kind, e.conversationId, e.callId, JSON.stringify(e.body));
  });
  return {
    append: (events) => mutex.run(() => void (events.length > 0 && appendAll.immediate(events))),
    after: (afterSeq, limit) => mutex.run(() => s.after.all(afterSeq, limit).map(toFeedEvent)),
    ofConversation: (conversationId, callIds, limit) =>
      mutex.run(() => s.ofConversation.all(conversationId, JSON.stringify(callIds), limit).map(toFeedEvent).reverse()),
    commandsMentioning: (text, limit) => mutex.run(() => s.mentioning.all(text, limit).map(toFeedEvent)),
    latestSeq: () => mutex.run(() => s.latest.get()?.seq ?? 0),
    prune: (keep) => mutex.run(() => s.prune.run(Math.max(1, keep)).changes),
  };
}
