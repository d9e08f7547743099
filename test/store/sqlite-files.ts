/** Fresh SQLite file paths for one test file, each in a directory of its own under one temp directory. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Returns a function handing out `<temp>/db-<n>/switchboard.db` (its directory made); all removed after the file. */
export function sqliteFiles(prefix: string): () => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const d = join(dir, `db-${++n}`);
    mkdirSync(d);
    return join(d, 'switchboard.db');
  };
}
