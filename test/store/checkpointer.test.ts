import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { restartFramesFor, startCheckpointer } from '../../src/store/sqlite/checkpointer.js';
import { sqliteFiles } from './sqlite-files.js';
import { FILE_PAGE_SIZE, openSqliteStore } from '../../src/store/sqlite/store.js';
import { conversation } from './fixtures.js';

const freshFile = sqliteFiles('switchboard-checkpoint-');

function walDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return db;
}

/** For the tests that write nothing while the worker restarts the WAL. */
const noPause = (work: () => Promise<void>): Promise<void> => work();

const autocheckpointPages = (db: Database.Database): unknown => db.pragma('wal_autocheckpoint', { simple: true });

describe('WAL checkpoints on a worker thread', () => {
  it('takes checkpoints off the connection and copies the WAL into the file from its own thread', async () => {
    const path = freshFile();
    const db = walDatabase(path);
    const checkpointer = startCheckpointer(db, { path, intervalMs: 20, pauseWrites: noPause });
    try {
      expect(await checkpointer.ready).toBe(true);
      expect(checkpointer.active).toBe(true);
      // The connection no longer checkpoints by itself: only the worker can move pages into the database file.
      expect(autocheckpointPages(db)).toBe(0);
      const sizeBefore = statSync(path).size;
      const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
      for (let i = 0; i < 200; i++) insert.run('x'.repeat(4096));
      await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(sizeBefore + 200 * 4096), {
        timeout: 10_000,
        interval: 20,
      });
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('starts a WAL over that steady writes would keep growing: a pause of the writes, then a TRUNCATE checkpoint', async () => {
    const path = freshFile();
    const db = walDatabase(path);
    let paused = false;
    const checkpointer = startCheckpointer(db, {
      path,
      intervalMs: 10,
      restartFrames: 64,
      walSizeLimit: 64 * 1024,
      pauseWrites: async (work) => {
        paused = true;
        try {
          await work();
        } finally {
          paused = false;
        }
      },
    });
    try {
      expect(await checkpointer.ready).toBe(true);
      const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
      // A writer that commits every turn, as the server does under load, except while the writes are paused.
      const deadline = Date.now() + 10_000;
      while (checkpointer.restarts.done < 2 && Date.now() < deadline) {
        if (!paused) for (let i = 0; i < 20; i++) insert.run('x'.repeat(4096));
        await new Promise((r) => setImmediate(r));
      }
      // Two or more: the worker may ask again and be served between two turns of this loop.
      expect(checkpointer.restarts.done).toBeGreaterThanOrEqual(2);
      expect(checkpointer.restarts.busy).toBe(0);
      // The worker cut the WAL file itself (a TRUNCATE checkpoint), not the server's next COMMIT on its thread.
      while (paused) await new Promise((r) => setImmediate(r));
      expect(statSync(`${path}-wal`).size).toBe(0);
      // The next write starts the WAL over.
      insert.run('y');
      expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(64 * 1024 + 2 * 4096 + 32);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('hands checkpoints back to the connection when the worker cannot start', async () => {
    const path = freshFile();
    const db = walDatabase(path);
    const reasons: string[] = [];
    const checkpointer = startCheckpointer(db, {
      path,
      driver: join(dirname(freshFile()), 'no-such-driver.js'),
      pauseWrites: noPause,
      onFallback: (reason) => reasons.push(reason),
    });
    try {
      expect(await checkpointer.ready).toBe(false);
      await vi.waitFor(() => expect(reasons).toHaveLength(1));
      expect(reasons[0]).toMatch(/checkpoint thread/);
      expect(checkpointer.active).toBe(false);
      expect(autocheckpointPages(db)).toBe(1000);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('stops once, promptly, also after the worker is gone', async () => {
    const path = freshFile();
    const db = walDatabase(path);
    const checkpointer = startCheckpointer(db, { path, pauseWrites: noPause });
    expect(await checkpointer.ready).toBe(true);
    await checkpointer.stop();
    await checkpointer.stop();
    expect(checkpointer.active).toBe(false);
    db.close();
  });

  it("a file store's close still checkpoints and removes the WAL (its connection closes last)", async () => {
    const path = freshFile();
    const store = await openSqliteStore({ path });
    await store.transact(async (tx) => {
      await tx.putConversation(conversation());
    });
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = await openSqliteStore({ path });
    expect(await reopened.transact((tx) => tx.getConversation(conversation().id))).toEqual(conversation());
    await reopened.close();
  });

  it('starts the WAL over at the same size in bytes whatever the page size', () => {
    expect(restartFramesFor(4096) * 4096).toBe(1024 ** 3);
    expect(restartFramesFor(2048)).toBe(2 * restartFramesFor(4096));
  });
});

describe('page size of a store file', () => {
  const pageSize = (path: string): unknown => {
    const db = new Database(path, { readonly: true });
    try {
      return db.pragma('page_size', { simple: true });
    } finally {
      db.close();
    }
  };

  it('a new file gets FILE_PAGE_SIZE pages', async () => {
    const path = freshFile();
    const store = await openSqliteStore({ path });
    await store.transact((tx) => tx.putConversation(conversation()));
    await store.close();
    expect(FILE_PAGE_SIZE).toBe(2048);
    expect(pageSize(path)).toBe(FILE_PAGE_SIZE);
  });

  it('a file made with 4 KiB pages keeps them, and its data', async () => {
    const path = freshFile();
    const old = new Database(path);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE kept (id INTEGER PRIMARY KEY)');
    old.close();
    const store = await openSqliteStore({ path });
    await store.transact((tx) => tx.putConversation(conversation()));
    await store.close();
    expect(pageSize(path)).toBe(4096);
    const reopened = await openSqliteStore({ path });
    expect(await reopened.transact((tx) => tx.getConversation(conversation().id))).toEqual(conversation());
    await reopened.close();
  });
});
