/**
 * The documentation's example requests work against the built-in world (issue 14): the create-call, join-meeting
 * and invite bodies of learn.microsoft.com, copied into test/fixtures/docs-examples/ with their source and what (if
 * anything) had to change, posted through the Graph JS client. Only `callbackUri` is replaced, by the fake bot's (the
 * pages say so: "the values of … callback URL … must be replaced"); every id is the page's.
 *
 * The v1.0 meeting-join examples name other tenants than the bot's (`tenantId` in the body and on the organizer). A
 * bot joining another organization's meeting is a multi-tenant app that organization consented to, and it asks that
 * tenant for its token (the Graph calling SDK gets the token for the tenant a request names; without consent the
 * token endpoint refuses, AADSTS700016). The default world's docs tenants consent to the default app, so a fixture's
 * `tenant` is where the token comes from; with the bot's home-tenant token the same body is Graph's 403 7505.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_EXAMPLE_TENANTS } from '../../src/sim/default-world.js';
import { createGraphJsClient } from '../helpers/graph-client.js';
import { expectGraph, rosterEntry, startConformance, type Conformance } from './fixture.js';

interface DocsExample {
  title: string;
  source: string;
  file: string;
  copied: string;
  request: string;
  /** The tenant the example's body names, where the bot gets its token (absent: the bot's own tenant). */
  tenant?: string;
  body: Record<string, unknown>;
}

const FIXTURES = new URL('../fixtures/docs-examples/', import.meta.url);
const example = (name: string): DocsExample => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as DocsExample;

describe("the docs' example requests against the built-in world", () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  /** The Graph JS client of the bot with a token from `tenant` (the default app is multi-tenant there). */
  const clientIn = (tenant: string): Client =>
    createGraphJsClient({ baseUrl: c.server.httpsUrl, getToken: () => c.server.token({ tenantId: tenant }) });

  /** Posts an example's body (callbackUri → the fake bot) to its version's path through the Graph JS client. */
  const post = async (
    ex: DocsExample,
    callId?: string,
    graph: Client = ex.tenant ? clientIn(ex.tenant) : c.graph,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const [, version, path] = /^POST \/(v1\.0|beta)(\/.*)$/.exec(ex.request)!;
    const body = 'callbackUri' in ex.body ? { ...ex.body, callbackUri: c.bot.url } : ex.body;
    const res = (await graph
      .api(path!.replace('{id}', callId ?? ''))
      .version(version!)
      .responseType(ResponseType.RAW)
      .post(body)) as Response;
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const established = (callId: string) =>
    c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established',
      { description: `${callId} established` },
    );

  it('every fixture names its source page and says what was copied', () => {
    const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) {
      const ex = example(name);
      expect(ex.source, name).toMatch(/^https:\/\/learn\.microsoft\.com\/en-us\/graph\/api\//);
      expect(ex.copied, name).toMatch(/verbatim|change/);
    }
  });

  it('create call, example 1 (P2P to John): 201, and John answers', async () => {
    const { status, body } = await post(example('create-call-p2p.json'));
    expect(status).toBe(201);
    expectGraph('call', body);
    await established(body.id as string);
  });

  it('create call, example 3 (group call with user1 and user2): 201, and both join the roster', async () => {
    const { status, body } = await post(example('create-group-call.json'));
    expect(status).toBe(201);
    const callId = body.id as string;
    await established(callId);
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, '98da8a1a-1b87-452c-a713-65d3f10b5555') !== undefined &&
        rosterEntry(n, 'bf5aae9a-d11d-47a8-93b1-782504c95555') !== undefined,
    );
  });

  it('create call, example 5 (join scheduled meeting, organizer Bob 5810cede-f3cc-…) then invite example 2 into it', async () => {
    const joined = await post(example('join-scheduled-meeting.json'));
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    const callId = joined.body.id as string;
    await established(callId);
    const invited = await post(example('invite-multiple.json'), callId);
    expect(invited.status, JSON.stringify(invited.body)).toBe(200);
    expectGraph('inviteParticipantsOperation', invited.body);
    const done = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}/operations/${invited.body.id as string}`,
    );
    expect(done.item.resourceData.status).toBe('Completed');
  });

  it('create call, v1.0 example 5 (join in tenant 86dc81db-…, the token from that tenant): 201, and the bot joins', async () => {
    const ex = example('join-scheduled-meeting-v1.json');
    expect(ex.tenant).toBe(DOCS_EXAMPLE_TENANTS.serviceHostedJoin);
    const { status, body } = await post(ex);
    expect(status, JSON.stringify(body)).toBe(201);
    expectGraph('call', body);
    expect(body.tenantId).toBe(DOCS_EXAMPLE_TENANTS.serviceHostedJoin);
    await established(body.id as string);
  });

  it('create call, v1.0 example 6 (app-hosted media, tenant aa67bd4c-…): 201, and the bot joins', async () => {
    const { status, body } = await post(example('join-app-hosted-media-v1.json'));
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.tenantId).toBe(DOCS_EXAMPLE_TENANTS.appHostedJoin);
    await established(body.id as string);
  });

  it('create call, v1.0 example 7 (joinMeetingId 1234567, passcode psw123, tenant 86dc81db-…): 201, in that meeting', async () => {
    const { status, body } = await post(example('join-meeting-id-passcode-v1.json'));
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.chatInfo).toMatchObject({
      threadId: '19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2',
    });
    await established(body.id as string);
  });

  it("the same example with the bot's home-tenant token: 403 7505, the token's tenant is not the one the call names", async () => {
    const ex = example('join-scheduled-meeting-v1.json');
    const res = await c.raw('POST', '/v1.0/communications/calls', { ...ex.body, callbackUri: c.bot.url });
    expect(res.status, res.text).toBe(403);
    expect(res.body.error.code).toBe('7505');
  });
});
