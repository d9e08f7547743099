/**
 * The bench bot: a node:http server on 127.0.0.1, every app's callback, answering 202 to each notification as the
 * comms SDK does. It runs in its own worker thread so that its receive timestamps are not held up by the load
 * generator's or the server's event loop. It does not verify the JWTs (the conformance tests do); it only parses
 * the body to count and key what it received.
 *
 * Keys: a roster `updated` notification is keyed `${callId}|${identity id}` for each participant in its
 * resourceData (call id from resourceUrl, identity from info.identity.user|phone.id); an operation `deleted`
 * notification the same way from its resourceData.participants. The load generator keys each request with the same
 * pair, and each request invites an identity no other request of the run invites, so a key names exactly one
 * request. (Keying by operation id would need the invite response first, and a notification can beat the client
 * to reading that response; the identity is known before the request is even sent.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { threadCpuMs, wallNow } from './stats.js';

export interface BotCounts {
  posts: number;
  /** commsNotification items (a POST carries one). */
  items: number;
  rosterUpdated: number;
  operationDeleted: number;
  operationCompleted: number;
  operationFailed: number;
  callUpdated: number;
  other: number;
  unparseable: number;
  /** Most participants in one roster notification (only changed participants are sent, so this stays small). */
  maxRosterItems: number;
}

export interface BotSnapshot {
  counts: BotCounts;
  rosterKeys: number;
  operationKeys: number;
  /** Present when asked for: key → first receive time (wall ms). */
  roster?: [string[], number[]];
  operations?: [string[], number[]];
  /** resourceData of the first roster/operation notification, to check what the bot saw. */
  sample?: unknown;
  /** CPU the bot's thread has used so far (ms, stats.ts threadCpuMs). */
  cpuMs: number | null;
}

export type BotRequest =
  { id: number; cmd: 'reset' } | { id: number; cmd: 'snapshot'; full: boolean } | { id: number; cmd: 'close' };

const zero = (): BotCounts => ({
  posts: 0,
  items: 0,
  rosterUpdated: 0,
  operationDeleted: 0,
  operationCompleted: 0,
  operationFailed: 0,
  callUpdated: 0,
  other: 0,
  unparseable: 0,
  maxRosterItems: 0,
});

let counts = zero();
let roster = new Map<string, number>();
let operations = new Map<string, number>();
let sample: unknown = undefined;

type Json = Record<string, unknown>;
const asObj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null ? (v as Json) : undefined);

function identityIdOf(identitySet: unknown): string | undefined {
  const s = asObj(identitySet);
  const id = asObj(s?.user)?.id ?? asObj(s?.phone)?.id;
  return typeof id === 'string' ? id : undefined;
}

const CALL_PATH = /^\/communications\/calls\/([^/]+)(\/participants|\/operations\/[^/]+)?$/;

function record(item: Json, at: number): void {
  counts.items++;
  const m = typeof item.resourceUrl === 'string' ? CALL_PATH.exec(item.resourceUrl) : null;
  if (!m) {
    counts.other++;
    return;
  }
  const callId = m[1]!;
  const sub = m[2] ?? '';
  // The whole roster (an array), or for a call that asked for deltas a deltaParticipants with the changed ones.
  const listed =
    sub === '/participants' && item.changeType === 'updated'
      ? Array.isArray(item.resourceData)
        ? item.resourceData
        : asObj(item.resourceData)?.participants
      : undefined;
  if (Array.isArray(listed)) {
    counts.rosterUpdated++;
    counts.maxRosterItems = Math.max(counts.maxRosterItems, listed.length);
    for (const p of listed) {
      const id = identityIdOf(asObj(asObj(p)?.info)?.identity);
      if (id === undefined) continue;
      const key = `${callId}|${id}`;
      if (!roster.has(key)) roster.set(key, at);
    }
    sample ??= listed;
    return;
  }
  if (sub.startsWith('/operations/') && item.changeType === 'deleted') {
    counts.operationDeleted++;
    const data = asObj(item.resourceData);
    if (data?.status === 'Completed') counts.operationCompleted++;
    else counts.operationFailed++;
    for (const p of Array.isArray(data?.participants) ? data.participants : []) {
      const id = identityIdOf(asObj(p)?.identity);
      if (id === undefined) continue;
      const key = `${callId}|${id}`;
      if (!operations.has(key)) operations.set(key, at);
    }
    return;
  }
  if (sub === '' && item.changeType === 'updated') counts.callUpdated++;
  else counts.other++;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = wallNow();
    res.writeHead(202, { 'content-length': '0' });
    res.end();
    counts.posts++;
    try {
      const body = asObj(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      for (const item of Array.isArray(body?.value) ? body.value : []) {
        const o = asObj(item);
        if (o) record(o, at);
      }
    } catch {
      counts.unparseable++;
    }
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  parentPort!.postMessage({ ready: true, url: `http://127.0.0.1:${port}/api/calls` });
});

parentPort!.on('message', (msg: BotRequest) => {
  if (msg.cmd === 'reset') {
    counts = zero();
    roster = new Map();
    operations = new Map();
    sample = undefined;
    parentPort!.postMessage({ id: msg.id });
  } else if (msg.cmd === 'snapshot') {
    const snap: BotSnapshot = {
      counts: { ...counts },
      rosterKeys: roster.size,
      operationKeys: operations.size,
      cpuMs: threadCpuMs(),
    };
    if (msg.full) {
      snap.roster = [[...roster.keys()], [...roster.values()]];
      snap.operations = [[...operations.keys()], [...operations.values()]];
      snap.sample = sample;
    }
    parentPort!.postMessage({ id: msg.id, snapshot: snap });
  } else {
    server.close(() => parentPort!.postMessage({ id: msg.id }));
    server.closeAllConnections();
  }
});
