import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ODataError } from '@microsoft/msgraph-sdk/models/oDataErrors/index.js';
import { loadOrCreateTls } from '../../src/auth/tls.js';
import { createGraphJsClient } from './graph-client.js';
import { captureHeaders, createCallsClient, type CallsClient } from './kiota-calls.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON the test pokes into
  body: any;
}

// A throwaway Graph-shaped stub: just enough routes to watch Kiota serialize requests and parse responses.
function startStub(): Promise<{ server: Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
      const base = `http://${req.headers.host}/v1.0/communications/calls`;
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      };
      const invite = /^\/v1\.0\/communications\/calls\/([^/]+)\/participants\/invite$/.exec(req.url!);
      if (req.method === 'POST' && invite) {
        const status = invite[1] === 'lowercase' ? 'running' : 'Running';
        return json(
          200,
          {
            '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
            id: 'op-1',
            status,
            clientContext: 'ctx',
            resultInfo: null,
            participants: [],
          },
          {
            location: `${base}/${invite[1]}/operations/op-1`,
          },
        );
      }
      if (req.method === 'POST' && req.url === '/v1.0/communications/calls') {
        return json(
          201,
          { '@odata.type': '#microsoft.graph.call', id: 'call-1', state: 'establishing', direction: 'outgoing' },
          { location: `${base}/call-1` },
        );
      }
      if (req.method === 'POST' && req.url!.endsWith('/answer')) return void res.writeHead(202).end();
      if (req.method === 'GET' && req.url!.endsWith('/operations/op-1')) {
        return json(200, {
          '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
          id: 'op-1',
          status: 'completed',
        });
      }
      if (req.method === 'GET' && req.url!.endsWith('/participants')) {
        return json(200, {
          value: [
            {
              '@odata.type': '#microsoft.graph.participant',
              id: 'p-1',
              isMuted: false,
              info: { identity: { user: { id: 'u-1' } } },
            },
          ],
        });
      }
      json(404, { error: { code: 'itemNotFound', message: 'Unknown call', innerError: { 'request-id': 'r' } } });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`, seen });
    });
  });
}

describe('kiota-calls against a local stub', () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  let kiota: CallsClient;

  beforeAll(async () => {
    stub = await startStub();
    kiota = createCallsClient({ baseUrl: stub.base, getToken: () => Promise.resolve('test-token') });
  });
  afterAll(() => new Promise<void>((resolve) => stub.server.close(() => resolve())));

  it('posts invite to the documented path with the body Kiota serializes, and reads Location', async () => {
    const h = captureHeaders();
    const op = await kiota.calls.byCallId('call-1').participants.invite.post(
      {
        clientContext: 'ctx',
        participants: [
          {
            odataType: '#microsoft.graph.invitationParticipantInfo',
            replacesCallId: 'a7ebfb2d-871e-419c-87af-27290b22e8db',
            identity: {
              odataType: '#microsoft.graph.identitySet',
              user: { odataType: '#microsoft.graph.identity', id: 'u-1', displayName: 'Alice' },
            },
          },
        ],
      },
      h.config,
    );
    const req = stub.seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1.0/communications/calls/call-1/participants/invite');
    expect(req.headers.authorization).toBe('Bearer test-token');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({
      clientContext: 'ctx',
      participants: [
        {
          identity: {
            '@odata.type': '#microsoft.graph.identitySet',
            user: { displayName: 'Alice', id: 'u-1', '@odata.type': '#microsoft.graph.identity' },
          },
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          replacesCallId: 'a7ebfb2d-871e-419c-87af-27290b22e8db',
        },
      ],
    });
    expect(op?.status).toBe('Running');
    expect(op?.id).toBe('op-1');
    expect(op?.resultInfo).toEqual({}); // clients.md: `resultInfo: null` comes back as {}
    expect(h.get('Location')).toBe(`${stub.base}/communications/calls/call-1/operations/op-1`);
    expect(kiota.exchanges.at(-1)).toMatchObject({ status: 200, method: 'POST' });
  });

  it('drops an operation status whose casing is not the CSDL spelling', async () => {
    const op = await kiota.calls.byCallId('lowercase').participants.invite.post({ participants: [] });
    expect(op?.id).toBe('op-1');
    expect(op?.status).toBeUndefined();
    const got = await kiota.calls.byCallId('call-1').operations.byCommsOperationId('op-1').get();
    expect(got?.status).toBeUndefined();
  });

  it('sends a phone identity only through additionalData (Kiota drops derived-type properties)', async () => {
    const phone = { '@odata.type': '#microsoft.graph.identity', id: '+12345678901' };
    // The typed route loses `phone`: serializeIdentitySet hands derived types to a serializer that returns early.
    await kiota.calls.byCallId('call-1').participants.invite.post({
      participants: [
        { identity: { odataType: '#microsoft.graph.communicationsIdentitySet', phone: { id: phone.id } } as never },
      ],
    });
    expect(stub.seen.at(-1)!.body.participants[0].identity).toEqual({
      '@odata.type': '#microsoft.graph.communicationsIdentitySet',
    });
    await kiota.calls.byCallId('call-1').participants.invite.post({
      participants: [{ identity: { odataType: '#microsoft.graph.identitySet', additionalData: { phone } } }],
    });
    expect(stub.seen.at(-1)!.body.participants[0].identity).toEqual({
      '@odata.type': '#microsoft.graph.identitySet',
      phone,
    });
  });

  it('creates a call (201 + Location), answers (202), lists participants', async () => {
    const h = captureHeaders();
    const call = await kiota.calls.post(
      {
        odataType: '#microsoft.graph.call',
        callbackUri: 'http://127.0.0.1:1/api/calls',
        requestedModalities: ['audio'],
      },
      h.config,
    );
    expect(call).toMatchObject({ id: 'call-1', state: 'establishing', direction: 'outgoing' });
    expect(h.get('location')).toBe(`${stub.base}/communications/calls/call-1`);
    expect(kiota.exchanges.at(-1)!.status).toBe(201);
    expect(stub.seen.at(-1)!.body).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      requestedModalities: ['audio'],
    });

    await kiota.calls
      .byCallId('call-1')
      .answer.post({ callbackUri: 'http://127.0.0.1:1/api/calls', acceptedModalities: ['audio'] });
    expect(stub.seen.at(-1)).toMatchObject({
      url: '/v1.0/communications/calls/call-1/answer',
      body: { acceptedModalities: ['audio'] },
    });
    expect(kiota.exchanges.at(-1)!.status).toBe(202);

    const list = await kiota.calls.byCallId('call-1').participants.get();
    expect(list?.value?.[0]?.id).toBe('p-1');
  });

  it('maps Graph errors to ODataError', async () => {
    const err = await kiota.calls
      .byCallId('missing')
      .get()
      .then(
        () => undefined,
        (e: unknown) => e as ODataError,
      );
    expect(err?.responseStatusCode).toBe(404);
    expect(err?.errorEscaped?.code).toBe('itemNotFound'); // Kiota renames the `error` property
    expect(err?.message).toBe('Unknown call');
  });
});

// graph-client needs https + customHosts (clients.md); this is the usage example for graph-client.ts.
describe('graph-client against a local https stub', () => {
  it('posts invite with the bearer token and exposes Location through ResponseType.RAW', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-graph-client-'));
    const tls = await loadOrCreateTls(dir, ['127.0.0.1']);
    const seen: { url?: string; auth?: string; body?: string } = {};
    const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        Object.assign(seen, { url: req.url, auth: req.headers.authorization, body });
        res.writeHead(200, {
          'content-type': 'application/json',
          location: `https://${req.headers.host}/v1.0/communications/calls/x/operations/op-9`,
        });
        res.end(
          JSON.stringify({
            '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
            id: 'op-9',
            status: 'Running',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const graph = createGraphJsClient({
        baseUrl: `https://127.0.0.1:${port}`,
        getToken: () => Promise.resolve('gc-token'),
        ca: tls.caCertPem,
      });
      const body = {
        participants: [
          { '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: { user: { id: 'u-1' } } },
        ],
        clientContext: 'c',
      };
      const res = (await graph
        .api('/communications/calls/x/participants/invite')
        .responseType(ResponseType.RAW)
        .post(body)) as Response;
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBe(`https://127.0.0.1:${port}/v1.0/communications/calls/x/operations/op-9`);
      expect(await res.json()).toMatchObject({ id: 'op-9', status: 'Running' });
      expect(seen).toEqual({
        url: '/v1.0/communications/calls/x/participants/invite',
        auth: 'Bearer gc-token',
        body: JSON.stringify(body),
      });
      expect(() =>
        createGraphJsClient({ baseUrl: `http://127.0.0.1:${port}`, getToken: () => Promise.resolve('t') }),
      ).toThrow(/https/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
