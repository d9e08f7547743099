/**
 * One process serves a SQLite data file. Its outbox and timer claims live in that process's memory (leases.ts), so a
 * second process on the same file would deliver the same notifications and fire the same timers again. A lock file
 * beside the database names the owner's pid: a second start on the same data directory is refused with a message that
 * says who holds it, and a lock left by a process that is gone (killed, crashed) is taken over. Several instances
 * share state only through PostgreSQL.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class DataFileInUseError extends Error {
  readonly path: string;
  readonly pid: number;
  constructor(path: string, pid: number) {
    super(
      `The data directory ${dirname(path)} is in use by process ${pid}${pid === process.pid ? ' (this process)' : ''}: ` +
        'one Switchboard serves a SQLite file. Stop it, start this one with another --data, or share state between ' +
        'instances through PostgreSQL (--postgres).',
    );
    this.name = 'DataFileInUseError';
    this.path = path;
    this.pid = pid;
  }
}

/** Lock files this process holds, so that a second open in the same process is refused too. */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** A lock with no pid in it is being written right now (another start), unless it is older than a start takes. */
function halfWrittenLongAgo(lockPath: string): boolean {
  try {
    return Date.now() - statSync(lockPath).mtimeMs > 5000;
  } catch {
    return true; // gone already
  }
}

/**
 * Takes the data file `dbPath` for this process, or throws DataFileInUseError. Returns the release function (idempotent),
 * to be called when the store closes.
 */
export function claimDataFile(dbPath: string): () => void {
  const lockPath = `${dbPath}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(lockPath);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.delete(lockPath);
        // Only our own lock: never remove one another process took over after ours was judged stale.
        if (ownerOf(lockPath) === process.pid) unlinkSync(lockPath);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = ownerOf(lockPath);
      const stale =
        owner === null ? halfWrittenLongAgo(lockPath) : owner === process.pid ? !held.has(lockPath) : !isAlive(owner);
      if (!stale || attempt > 0) throw new DataFileInUseError(dbPath, owner ?? 0);
      // Left by a process that is gone (or unreadable, half written by a crash): take it over, once.
      try {
        unlinkSync(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
}
