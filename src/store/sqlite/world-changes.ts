/** The SQLite `world_changes` log; each call takes the store mutex, like every statement outside a transaction. */
import type Database from 'better-sqlite3';
import type { SerialGate } from './store.js';
import type { SoftphoneLeaseBody, WorldChangeStore } from '../store.js';
import { toWorldChange, type WorldChangeRecord } from '../world-change-rows.js';

export function createSqliteWorldChanges(db: Database.Database, mutex: SerialGate): WorldChangeStore {
  const insert = db.prepare<[string, string, number], { seq: number }>(
    'INSERT INTO world_changes (kind, body, created_at) VALUES (?, ?, ?) RETURNING seq',
  );
  const after = db.prepare<[number], WorldChangeRecord>(
    'SELECT seq, kind, body, created_at FROM world_changes WHERE seq > ? ORDER BY seq',
  );
  // A lease row's end: when its lease runs out, or for a release (until 0) when it was recorded.
  const pruneLeases = db.prepare<[number, string, number]>(
    `DELETE FROM world_changes WHERE kind = 'softphone' AND seq < ? AND (
       json_extract(body, '$.leaseId') = ? OR
       (CASE WHEN json_extract(body, '$.until') > 0 THEN json_extract(body, '$.until') ELSE json_extract(body, '$.at') END) < ?
     )`,
  );
  const appendLease = db.transaction((body: SoftphoneLeaseBody, at: number, endedBefore: number): number => {
    const seq = insert.get('softphone', JSON.stringify(body), at)!.seq;
    pruneLeases.run(seq, body.leaseId, endedBefore);
    return seq;
  });
  return {
    append: (kind, body, at) => mutex.run(() => insert.get(kind, JSON.stringify(body), at)!.seq),
    appendLease: (body, at, endedBefore) => mutex.run(() => appendLease(body, at, endedBefore)),
    after: (afterSeq) => mutex.run(() => after.all(afterSeq).map(toWorldChange)),
  };
}
