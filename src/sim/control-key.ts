/**
 * The control API key. The control API changes the world, the clock, faults and signing keys and needs no Graph
 * token, so a server reachable beyond this machine (bound to 0.0.0.0 or a non-loopback address) requires a key on it:
 * `--control-key`, or one generated at the first start and kept in `<data>/control-key` (so restarts and several
 * instances on one data directory keep the same key, as they keep keys.json). On loopback no key is needed unless
 * one is configured, and then it is required.
 *
 * Sent as `Authorization: Bearer <key>` or `X-Switchboard-Control-Key: <key>`, compared in constant time; otherwise
 * 401 in the Graph envelope. Exempt: liveness and readiness (`/_switchboard/health`, `/ready`: probes cannot send a
 * key, and they tell nothing), and recording downloads (`/_switchboard/recordings/{id}`: the bot's own
 * recordingAccessToken guards them, as Graph's recording location does), and the dashboard's static files
 * (`/_switchboard/ui/…`: a browser cannot send a header when it opens a page; the page then sends the key itself),
 * and for the same reason a browser's GET of the index (`/_switchboard/`), which only sends it to the dashboard.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GraphError } from '../http/errors.js';
import { isLoopbackHost } from '../http/host-check.js';
import { wantsHtml } from './world-routes.js';

export const CONTROL_KEY_HEADER = 'x-switchboard-control-key';
export const CONTROL_KEY_FILE = 'control-key';

/** Control routes that take no key (see above). */
export const KEYLESS_CONTROL_ROUTES: ReadonlySet<string> = new Set([
  '/_switchboard/health',
  '/_switchboard/ready',
  '/_switchboard/recordings/:operationId',
  // The dashboard's static files (no data in them): the page loads, then asks for the key its API calls send.
  '/_switchboard/ui',
  '/_switchboard/ui/*',
]);

export interface ControlKey {
  /** The key required, or null when none is (loopback, none configured). */
  key: string | null;
  /** Where it came from, for the banner. */
  source: 'configured' | 'generated' | 'data' | 'none';
}

/** The key for this start: configured, else (beyond loopback) the data directory's, else a new one kept there. */
export function resolveControlKey(opts: {
  configured: string | null;
  host: string;
  dataDir: string | null;
}): ControlKey {
  if (opts.configured !== null) return { key: opts.configured, source: 'configured' };
  if (isLoopbackHost(opts.host)) return { key: null, source: 'none' };
  const file = opts.dataDir === null ? null : join(opts.dataDir, CONTROL_KEY_FILE);
  if (file !== null && existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 16) return { key: kept, source: 'data' };
  }
  const key = randomBytes(24).toString('base64url');
  if (file !== null) writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, source: 'generated' };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The key a request presents (bearer or header), or undefined. */
function presented(req: FastifyRequest): string[] {
  const out: string[] = [];
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) out.push(auth.replace(/^bearer\s+/i, '').trim());
  const header = req.headers[CONTROL_KEY_HEADER];
  if (typeof header === 'string') out.push(header.trim());
  return out;
}

/** Constant time in the key and the candidates: equal-length digests, every candidate compared. */
export function keyMatches(key: string, candidates: readonly string[]): boolean {
  const expected = digest(key);
  let ok = false;
  for (const c of candidates) ok = timingSafeEqual(expected, digest(c)) || ok;
  return ok;
}

export const controlKeyRequired = (): GraphError =>
  new GraphError(
    401,
    'Unauthorized',
    `The control API needs the control key: send it as 'Authorization: Bearer <key>' or 'X-Switchboard-Control-Key: <key>'. It is printed in the banner at start (and kept in <data>/${CONTROL_KEY_FILE} when generated).`,
    null,
    { 'WWW-Authenticate': 'Bearer realm="Switchboard control API"' },
  );

/** Requires the key on every control route but the keyless ones; matched by route, so case and encoding cannot dodge it. */
export function installControlKey(app: FastifyInstance, key: string | null): void {
  if (key === null) return;
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.url;
    if (
      route === undefined ||
      !route.startsWith('/_switchboard') ||
      KEYLESS_CONTROL_ROUTES.has(route) ||
      // The index answers a browser with a redirect to the dashboard only: no data (src/sim/world-routes.ts).
      ((route === '/_switchboard/' || route === '/_switchboard') && req.method === 'GET' && wantsHtml(req))
    ) {
      done();
      return;
    }
    done(keyMatches(key, presented(req)) ? undefined : controlKeyRequired());
  });
}
