/** The SQLite `world_changes` log; each call takes the store mutex, like every statement outside a transaction. */
import type Database from 'better-sqlite3';
import type { SerialGate } from './store.js';
import type { WorldChangeStore } from '../store.js';
import { toWorldChange, type WorldChangeRecord } from '../world-change-rows.js';

export function createSqliteWorldChanges(db: Database.Database, mutex: SerialGate): WorldChangeStore {
  const insert = db.prepare<[string, string, number], { seq: number }>(
    'INSERT INTO world_changes (kind, body, created_at) VALUES (?, ?, ?) RETURNING seq',
  );
  const after = db.prepare<[number], WorldChangeRecord>(
    'SELECT seq, kind, body, created_at FROM world_changes WHERE seq > ? ORDER BY seq',
  );
  return {
    append: (kind, body, at) => mutex.run(() => insert.get(kind, JSON.stringify(body), at)!.seq),
    after: (afterSeq) => mutex.run(() => after.all(afterSeq).map(toWorldChange)),
  };
}
