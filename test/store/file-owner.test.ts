/**
 * One process serves a SQLite data directory (its claims live in memory): a second start on the same directory is
 * refused with a message naming the holder, in the same process and from another one; a lock left by a process that
 * is gone is taken over; closing (or a start that fails on a busy port) frees the directory.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig, type Config } from '../../src/config.js';
import { startSwitchboard, type Switchboard } from '../../src/main.js';
import { DataFileInUseError } from '../../src/store/sqlite/file-owner.js';
import { startChildServer } from '../helpers/child-server.js';
import { fastWorld, QUIET_TEST_CONFIG } from '../helpers/server.js';

const open: Switchboard[] = [];
afterAll(async () => {
  for (const sb of open) await sb.close();
});

function configFor(data: string, port = 0): Config {
  return resolveConfig(
    [],
    {},
    {
      data,
      port,
      httpsPort: 0,
      tlsDir: process.env.SWITCHBOARD_TEST_TLS_DIR!,
      logLevel: 'silent',
      ...QUIET_TEST_CONFIG,
    },
  );
}

async function start(data: string, port = 0): Promise<Switchboard> {
  const sb = await startSwitchboard(configFor(data, port), { world: fastWorld(null) });
  open.push(sb);
  return sb;
}

async function stop(sb: Switchboard): Promise<void> {
  await sb.close();
  open.splice(open.indexOf(sb), 1);
}

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('a SQLite data directory has one owner', () => {
  it('refuses a second start in the same process, naming this process; after close it starts again', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sb-owner-'));
    const first = await start(data);
    const second = startSwitchboard(configFor(data), { world: fastWorld(null) });
    await expect(second).rejects.toBeInstanceOf(DataFileInUseError);
    await expect(second).rejects.toThrow(`in use by process ${process.pid} (this process)`);
    // The refused start changed nothing: the first still serves.
    expect((await fetch(`${first.httpUrl}/_switchboard/health`)).status).toBe(200);
    await stop(first);
    expect(existsSync(join(data, 'switchboard.db.lock'))).toBe(false);
    const again = await start(data);
    expect((await fetch(`${again.httpUrl}/_switchboard/health`)).status).toBe(200);
    await stop(again);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sb-owner-stale-'));
    writeFileSync(join(data, 'switchboard.db.lock'), `${await deadPid()}\n`);
    const sb = await start(data);
    expect((await fetch(`${sb.httpUrl}/_switchboard/health`)).status).toBe(200);
    await stop(sb);
  });

  it('refuses while another live process holds it; the CLI says so and exits 1', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sb-owner-child-'));
    const world = fastWorld(null);
    const child = await startChildServer({ data, world });
    try {
      await expect(startSwitchboard(configFor(data), { world })).rejects.toThrow(
        `in use by process ${child.process.pid}:`,
      );
      const secondChild = startChildServer({ data, world });
      await expect(secondChild).rejects.toThrow(/exited \(1\) before it started:[\s\S]*is in use by process/);
    } finally {
      child.kill('SIGKILL');
      await child.exited;
    }
    // Killed: its lock is stale now, and the next start takes it over.
    const sb = await start(data);
    expect((await fetch(`${sb.httpUrl}/_switchboard/health`)).status).toBe(200);
    await stop(sb);
  });

  it('a start that fails on a busy port frees the directory', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sb-owner-port-'));
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      await expect(startSwitchboard(configFor(data, port), { world: fastWorld(null) })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      busy.close();
    }
    const sb = await start(data);
    expect((await fetch(`${sb.httpUrl}/_switchboard/health`)).status).toBe(200);
    await stop(sb);
  });
});
