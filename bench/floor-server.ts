/**
 * The floor (issue 17): the least an invite must do, in plain Node, on the bench's main thread like Switchboard.
 * Per request: read the body, parse it, validate it (Ajv, compiled once, as Switchboard does), write it durably
 * (one autocommitted INSERT into a SQLite file in WAL mode, `synchronous = NORMAL`, as Switchboard's file store),
 * answer 200 with a small operation, then POST one signed notification to the bot (a JWT signed once and reused,
 * as Switchboard caches its notification tokens; keep-alive, at most 16 in flight, as the dispatcher) carrying the
 * operation `deleted` and the roster `updated` the bot counts. No auth check, no state machine, no timer, no outbox.
 * Switchboard's end-to-end rate ÷ this one's is how close it gets to what the work itself costs.
 */
import { randomUUID, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http, { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';

export interface FloorServer {
  url: string;
  callIds: string[];
  close(): Promise<void>;
}

const SCHEMA = {
  type: 'object',
  required: ['participants'],
  properties: {
    participants: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: {
        type: 'object',
        required: ['identity'],
        properties: { identity: { type: 'object', minProperties: 1 } },
      },
    },
    clientContext: { type: 'string', maxLength: 256 },
  },
} as const;

const PATH = /^\/v1\.0\/communications\/calls\/([^/]+)\/participants\/invite$/;

export async function startFloorServer(opts: { botUrl: string; calls: number }): Promise<FloorServer> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE invites (id TEXT PRIMARY KEY, call_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL)',
  );
  const insert = db.prepare<[string, string, string, number]>(
    'INSERT INTO invites (id, call_id, body, created_at) VALUES (?, ?, ?, ?)',
  );
  const validate = new Ajv({ allErrors: false }).compile(SCHEMA);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwt = await new SignJWT({ aud: 'bench-app' })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer('https://api.botframework.com')
    .setExpirationTime('2h')
    .sign(privateKey);
  const bot = new URL(opts.botUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  const notify = (callId: string, operationId: string, identity: unknown): void => {
    const body = JSON.stringify({
      '@odata.type': '#microsoft.graph.commsNotifications',
      value: [
        {
          changeType: 'deleted',
          resourceUrl: `/communications/calls/${callId}/operations/${operationId}`,
          resourceData: { status: 'Completed', participants: [{ identity }] },
        },
        {
          changeType: 'updated',
          resourceUrl: `/communications/calls/${callId}/participants`,
          resourceData: [{ info: { identity } }],
        },
      ],
    });
    const req = http.request(
      {
        host: bot.hostname,
        port: bot.port,
        path: bot.pathname,
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${jwt}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => res.resume(),
    );
    req.on('error', () => undefined);
    req.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = PATH.exec(req.url ?? '');
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        parsed = undefined;
      }
      if (!m || !validate(parsed)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"BadRequest"}}');
        return;
      }
      const callId = m[1]!;
      const operationId = randomUUID();
      insert.run(operationId, callId, JSON.stringify(parsed), Date.now());
      const answer = JSON.stringify({
        '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
        id: operationId,
        status: 'Running',
        clientContext: (parsed as { clientContext?: string }).clientContext ?? null,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
      notify(callId, operationId, parsed.participants[0]!.identity);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    callIds: Array.from({ length: opts.calls }, () => randomUUID()),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
