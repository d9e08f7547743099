/** The `world_changes` row as both stores read it, and its mapping to `WorldChange`. */
import type { WorldChange, WorldChangeKind } from './store.js';

export interface WorldChangeRecord {
  seq: number;
  kind: string;
  body: string;
  created_at: number;
}

export const toWorldChange = (r: WorldChangeRecord): WorldChange => ({
  seq: r.seq,
  kind: r.kind as WorldChangeKind,
  body: JSON.parse(r.body) as Record<string, unknown>,
  createdAt: r.created_at,
});
