/** Scenario files: checking the document, partial matching, and a run that fails names its step. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorld, DEFAULT_APP_ID, DEFAULT_USERS } from '../../src/sim/default-world.js';
import { parseScenario, partialMatch, runScenario, ScenarioError } from '../../src/sim/scenario.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('scenario documents', () => {
  it('need a non-empty steps list of one-key steps, and name the offending step', () => {
    expect(() => parseScenario([])).toThrow(ScenarioError);
    expect(() => parseScenario({ steps: [] })).toThrow('scenario.steps must be a non-empty array');
    expect(() => parseScenario({ steps: [{ advance: 1 }, { dance: 1 }] })).toThrow(
      /steps\[1\] must have exactly one of call, expect/,
    );
    expect(() => parseScenario({ steps: [{ advance: 1, log: 'x' }] })).toThrow(/steps\[0\]/);
    expect(parseScenario({ name: 'n', steps: [{ advance: 5 }] })).toEqual({ name: 'n', steps: [{ advance: 5 }] });
  });

  it('match notifications partially: objects by key, arrays by position, scalars exactly', () => {
    expect(partialMatch({ state: 'established', id: 'x' }, { state: 'established' })).toBe(true);
    expect(partialMatch({ resultInfo: { code: 603, subcode: 10020 } }, { resultInfo: { code: 603 } })).toBe(true);
    expect(partialMatch({ resultInfo: null }, { resultInfo: { code: 603 } })).toBe(false);
    expect(partialMatch([{ id: 'a' }, { id: 'b' }], [{ id: 'a' }])).toBe(true);
    expect(partialMatch([{ id: 'b' }], [{ id: 'a' }])).toBe(false);
    expect(partialMatch({ n: 1 }, { n: '1' })).toBe(false);
  });
});

describe('running a scenario', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultWorld(), { virtual: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('stops at the first step that fails and says which and why (nobody answers the call: no app callback)', async () => {
    const lines: string[] = [];
    const scenario = parseScenario({
      name: 'unanswered',
      steps: [
        { call: { from: { user: DEFAULT_USERS.alex }, to: { application: DEFAULT_APP_ID }, as: 'c' } },
        { waitForCall: { call: 'c', state: 'establishing', timeoutMs: 200 } },
        { log: 'never reached' },
      ],
    });
    const result = await runScenario(scenario, { server: server.httpUrl, print: (l) => lines.push(l) });
    // The default world's app has no callbackUri: the call is refused, and the scenario says so at step 0.
    expect(result.ok).toBe(false);
    expect(result.failure?.step).toBe(0);
    expect(result.failure?.message).toMatch(/incoming-calls answered 400/);
    expect(lines.some((l) => l.includes('never reached'))).toBe(false);
  });

  it('times out a wait with the step it was waiting for', async () => {
    for (const t of server.sb.directory.world.tenants)
      for (const a of t.apps) a.callbackUri = 'http://127.0.0.1:9/nobody';
    const result = await runScenario(
      parseScenario({
        steps: [
          { call: { from: { user: DEFAULT_USERS.alex }, to: { application: DEFAULT_APP_ID }, as: 'c' } },
          { waitForCall: { call: 'c', state: 'established', timeoutMs: 150 } },
        ],
      }),
      { server: server.httpUrl, print: () => undefined },
    );
    expect(result.failure).toMatchObject({ step: 1, message: expect.stringMatching(/timed out after 150 ms/) });
    expect(Object.keys(result.calls)).toEqual(['c']);
  });
});
