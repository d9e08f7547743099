/**
 * The documentation's example requests work against the built-in world (issue 14): the create-call, join-meeting
 * and invite bodies of learn.microsoft.com, copied into test/fixtures/docs-examples/ with their source and what (if
 * anything) had to change, posted through the Graph JS client. Only `callbackUri` is replaced, by the fake bot's (the
 * pages say so: "the values of … callback URL … must be replaced"); every id is the page's.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGraph, rosterEntry, startConformance, type Conformance } from './fixture.js';

interface DocsExample {
  title: string;
  source: string;
  file: string;
  copied: string;
  request: string;
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

  /** Posts an example's body (callbackUri → the fake bot) to its version's path through the Graph JS client. */
  const post = async (ex: DocsExample, callId?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const [, version, path] = /^POST \/(v1\.0|beta)(\/.*)$/.exec(ex.request)!;
    const body = 'callbackUri' in ex.body ? { ...ex.body, callbackUri: c.bot.url } : ex.body;
    const res = (await c.graph
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
});
