/**
 * The Node versions the README states are true: every installed package's declared engines accept the README's
 * minimum for development (so `npm ci` prints no EBADENGINE warning there), and every run-time package accepts the
 * minimum package.json declares. A dependency bump that needs a newer Node fails here until the README says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// npm's own range semantics; `semver` is installed by many dependencies (not declared here, so typed by hand).
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
};

const root = new URL('../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<
    string,
    { version?: string; dev?: boolean; optional?: boolean; engines?: { node?: string } | string[] }
  >;
};

/** Packages of the lock file that are installed here (optional platform builds for other systems are not). */
const installed = Object.entries(lock.packages).filter(
  ([path, p]) => path !== '' && (!p.optional || existsSync(join(root, path))),
);
const refusing = (version: string, only: (p: { dev?: boolean }) => boolean) =>
  installed
    .filter(
      ([, p]) =>
        only(p) &&
        !Array.isArray(p.engines) &&
        typeof p.engines?.node === 'string' &&
        !semver.satisfies(version, p.engines.node),
    )
    .map(([path, p]) => `${path}@${p.version} wants node ${(p.engines as { node: string }).node}`);

describe('Node versions in the README', () => {
  const dev = /^Node (\d+\.\d+) or newer for `npm install && npm test`/m.exec(readme)?.[1];
  const server = /The server alone needs Node (\d+\.\d+) \(`engines`\)/.exec(readme)?.[1];

  it("states a minimum for development and one for the server, the latter package.json's engines", () => {
    expect(dev).toBeDefined();
    expect(server).toBeDefined();
    expect(semver.minVersion(pkg.engines.node)?.version).toBe(`${server}.0`);
  });

  it('every installed package accepts the development minimum', () => {
    expect(refusing(`${dev}.0`, () => true)).toEqual([]);
  });

  it('every run-time package accepts the server minimum', () => {
    expect(refusing(`${server}.0`, (p) => !p.dev)).toEqual([]);
  });
});
