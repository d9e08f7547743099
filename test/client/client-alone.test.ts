/**
 * `switchboard/client` serves a test suite that talks to a Switchboard running elsewhere: importing it must not load
 * the server (better-sqlite3's native module, Fastify, pg). Checked in a fresh Node process whose module hook
 * refuses those packages; the package root, which does start servers, is the control that the hook bites.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const TS_REGISTER = new URL('../helpers/ts-register.mjs', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'sb-client-alone-'));
const hook = join(dir, 'refuse-server.mjs');
writeFileSync(
  hook,
  `export async function resolve(specifier, context, next) {
     if (/^(better-sqlite3|fastify|pg|node-forge)(\\/|$)/.test(specifier)) throw new Error('loaded server package ' + specifier + ' from ' + context.parentURL);
     return next(specifier, context);
   }`,
);
const refuse = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(pathToFileURL(hook).href)})`;

function importInFreshNode(moduleUrl: string): Promise<{ code: number; out: string }> {
  const script = `const m = await import(${JSON.stringify(moduleUrl)}); console.log('exports:', Object.keys(m).sort().join(','));`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TS_REGISTER, '--import', refuse, '--input-type=module', '-e', script],
      { env: { ...process.env, NODE_OPTIONS: '' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe('the control client alone', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports without loading better-sqlite3, Fastify, pg or node-forge', async () => {
    const r = await importInFreshNode(new URL('../../src/client/index.ts', import.meta.url).href);
    expect(r.out).toContain(
      'exports: SwitchboardControl,SwitchboardError,WaitForNotificationError,connectSwitchboard,describeEntry,identity',
    );
    expect(r.code).toBe(0);
  });

  it('whereas the package root does load them (the hook works)', async () => {
    const r = await importInFreshNode(new URL('../../src/index.ts', import.meta.url).href);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/loaded server package (better-sqlite3|fastify|pg|node-forge)/);
  });
});
