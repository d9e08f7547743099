/**
 * The dashboard's static files, built by Vite from ui/ into dist/ui/ (`npm run build`, and at install), served
 * under /_switchboard/ui/ by the server itself: everything the page loads comes from Switchboard.
 *
 * - A path naming a file (it has an extension) answers that file or 404; an extension-less path is a page of the
 *   single-page app and answers index.html (the client router picks the page), so a reload or a pasted link works.
 * - Vite names assets by content hash, so `assets/*` are cached for a year (immutable); everything else (index.html)
 *   is revalidated each time (`no-cache` + ETag), so a rebuilt UI is picked up at the next load.
 * - No directory traversal: each path segment is decoded once and must be a plain name (no `.`/`..`, no separators,
 *   no NUL); the resolved path must still lie inside the UI folder.
 * - A Content-Security-Policy allows scripts, styles, images and connections from this origin only: no CDN, no
 *   inline script, no framing (clickjacking of the controls).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphError } from '../http/errors.js';

export const UI_PATH = '/_switchboard/ui/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  // The softphone plays a bot's prompts from their own URIs (playPrompt mediaInfo.uri): audio only, any http(s) origin.
  "media-src 'self' blob: data: http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The package root: the nearest folder above this module with a package.json (works from src/ and dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('ui-routes: no package.json above the server module');
    dir = up;
  }
  return dir;
}

/** Where the built dashboard lives unless configured: <package>/dist/ui. */
export const defaultUiDir = (): string => join(packageRoot(), 'dist', 'ui');

const notBuilt = (dir: string): GraphError =>
  new GraphError(
    503,
    'serviceNotAvailable',
    `The dashboard is not built (no ${join(dir, 'index.html')}): run 'npm run build' (npm install runs it too).`,
  );

const missing = (path: string): GraphError => new GraphError(404, 'NotFound', `No dashboard file ${path}.`);

/**
 * The safe relative segments of a request path below UI_PATH, or null when any segment is not a plain file name
 * (traversal, an encoded separator, a NUL, a malformed escape).
 */
export function safeSegments(rawPath: string): string[] | null {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === '.' || seg === '..' || /[/\\\0]/.test(seg)) return null;
    segments.push(seg);
  }
  return segments;
}

interface Loaded {
  body: Buffer;
  etag: string;
  type: string;
}

export function uiRoutes(app: FastifyInstance, opts: { dir?: string } = {}): void {
  const root = resolve(opts.dir ?? defaultUiDir());
  // Files are small and few; each is read once per change of its modification time.
  const cache = new Map<string, { mtimeMs: number; loaded: Loaded }>();

  async function load(file: string): Promise<Loaded | null> {
    let info;
    try {
      info = await stat(file);
    } catch {
      return null;
    }
    if (!info.isFile()) return null;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit.loaded;
    const body = await readFile(file);
    const loaded = {
      body,
      etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
      type: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    };
    cache.set(file, { mtimeMs: info.mtimeMs, loaded });
    return loaded;
  }

  async function serve(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const path = req.url.split('?')[0]!;
    const below = path.slice(path.toLowerCase().indexOf(UI_PATH) + UI_PATH.length);
    const segments = safeSegments(below);
    if (segments === null) throw missing(path);
    const isFile = segments.length > 0 && extname(segments[segments.length - 1]!) !== '';
    const file = isFile ? resolve(root, ...segments) : join(root, 'index.html');
    if (!file.startsWith(root + sep)) throw missing(path);
    const loaded = await load(file);
    if (!loaded) {
      if (!isFile || !existsSync(join(root, 'index.html'))) throw notBuilt(root);
      throw missing(path);
    }
    const immutable = isFile && segments[0] === 'assets';
    void reply
      .header('content-type', loaded.type)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('etag', loaded.etag)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', UI_CSP);
    if (req.headers['if-none-match'] === loaded.etag) return reply.code(304).send();
    return reply.send(loaded.body);
  }

  app.get('/_switchboard/ui', (_req, reply) => reply.redirect(UI_PATH, 301));
  app.get('/_switchboard/ui/*', serve);
}
