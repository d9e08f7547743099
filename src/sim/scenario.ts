/**
 * Scenarios: a JSON file of timed steps (a person calls the bot, presses 1, hangs up; the clock moves; a
 * notification is expected) that `switchboard run-scenario <file> [--server URL]` plays against a running server
 * through the control API only, printing every notification as it is delivered. Steps run in order; a step that
 * waits for something (the bot's reaction, a notification) polls in real time up to its `timeoutMs`.
 *
 * {"name":"…","steps":[
 *   {"call":{"from":{"user":"<id>"}|{"phone":"+1…"},"to":{"application":"<id>"}|{"applicationInstance":"<id>"},"tenantId":"…","as":"p2p"}},
 *   {"expect":{"call":"p2p","changeType":"deleted","resource":"call|participants|operation","data":{…partial resourceData…},"timeoutMs":5000}},
 *   {"waitForCall":{"as":"bridge","kind":"meeting","state":"established","operations":3}} | {"waitForCall":{"call":"p2p","gone":true}},
 *   {"advance":2000}, {"behaviour":{"person":"<id>","answer":{…},"then":[…]}},
 *   {"act":{"call":"p2p","person":"<id|number|participantId>","action":"hangUp","afterMs":0}},
 *   {"press":{"call":"p2p","person":"<id>","tones":"1"}}, {"log":"text"}]}
 */
import { readFileSync } from 'node:fs';

export class ScenarioError extends Error {}

type Json = Record<string, unknown>;

export interface Scenario {
  name: string;
  steps: Json[];
}

const STEP_KINDS = ['call', 'expect', 'waitForCall', 'advance', 'behaviour', 'act', 'press', 'log'] as const;
type StepKind = (typeof STEP_KINDS)[number];

/** Checks a scenario document; every error names the offending step. */
export function parseScenario(doc: unknown): Scenario {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ScenarioError('scenario must be a JSON object with "steps"');
  const o = doc as Json;
  if (!Array.isArray(o.steps) || o.steps.length === 0)
    throw new ScenarioError('scenario.steps must be a non-empty array');
  for (const [i, s] of o.steps.entries()) {
    if (typeof s !== 'object' || s === null || Array.isArray(s))
      throw new ScenarioError(`steps[${i}] must be an object`);
    const keys = Object.keys(s as Json);
    if (keys.length !== 1 || !(STEP_KINDS as readonly string[]).includes(keys[0]!)) {
      throw new ScenarioError(
        `steps[${i}] must have exactly one of ${STEP_KINDS.join(', ')}; got ${keys.join(', ') || 'nothing'}`,
      );
    }
  }
  return { name: typeof o.name === 'string' ? o.name : 'scenario', steps: o.steps as Json[] };
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(`cannot read scenario ${path}: ${(e as Error).message}`);
  }
  try {
    return parseScenario(JSON.parse(text));
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`scenario ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export interface DeliveredNotification {
  sequence: number;
  callId: string;
  status: string;
  createdDateTime: string;
  changeType: string;
  resourceUrl: string;
  resourceData: unknown;
}

export interface ScenarioResult {
  ok: boolean;
  /** The step that failed (index) and why. */
  failure: { step: number; message: string } | null;
  /** Every notification delivered while the scenario ran, in delivery order. */
  notifications: DeliveredNotification[];
  /** Aliases bound by `call` and `waitForCall`. */
  calls: Record<string, string>;
}

export interface RunOptions {
  /** Server origin, e.g. http://127.0.0.1:4100. */
  server: string;
  /** The control key, when the server requires one (bound beyond loopback, or --control-key). */
  controlKey?: string;
  print?: (line: string) => void;
  /** Default wait for steps that wait. */
  timeoutMs?: number;
  pollMs?: number;
}

/** Notifications read per request while polling. */
const PAGE = 1000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True when every key of `want` matches `got` (objects recursively, arrays element by element, case-sensitive). */
export function partialMatch(got: unknown, want: unknown): boolean {
  if (want === null || typeof want !== 'object') return got === want;
  if (Array.isArray(want)) return Array.isArray(got) && want.every((w, i) => partialMatch(got[i], w));
  if (typeof got !== 'object' || got === null) return false;
  return Object.entries(want as Json).every(([k, v]) => partialMatch((got as Json)[k], v));
}

const text = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

/** Who a roster entry is: `user:Adele Vance`, `phone:+1…`, `application:…`. */
function who(p: Json): string {
  const identity = ((p.info as Json | undefined)?.identity as Json | undefined) ?? {};
  for (const [k, v] of Object.entries(identity)) {
    if (k.startsWith('@') || typeof v !== 'object' || v === null) continue;
    const o = v as Json;
    return `${k}:${text(o.displayName) || text(o.id)}`;
  }
  return text(p.id);
}

function summarize(n: DeliveredNotification, alias: (id: string) => string): string {
  const base = `/communications/calls/${n.callId}`;
  const sub = n.resourceUrl.startsWith(base) ? n.resourceUrl.slice(base.length) || '/' : n.resourceUrl;
  const d = n.resourceData as Json | Json[] | undefined;
  let what = '';
  if (Array.isArray(d)) {
    what = d.map((p) => `${who(p)}${p.isMuted === true ? ' (muted)' : ''}`).join(', ');
  } else if (d) {
    const r = d.resultInfo as Json | null | undefined;
    const tone = (d.toneInfo as Json | null | undefined)?.tone;
    what = [
      text(d.state) || text(d.status),
      r ? `${text(r.code)}/${text(r.subcode)}` : '',
      tone ? `tone ${text(tone)}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }
  return `  ⇐ ${n.createdDateTime} call ${alias(n.callId)} ${n.changeType} ${sub} ${what}`.trimEnd();
}

export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  const print = opts.print ?? ((l: string) => console.log(l));
  const server = opts.server.replace(/\/$/, '');
  const defaultTimeout = opts.timeoutMs ?? 10_000;
  const pollMs = opts.pollMs ?? 25;
  const calls: Record<string, string> = {};
  const names = new Map<string, string>();
  const alias = (id: string): string => names.get(id) ?? id;
  const callId = (ref: unknown, where: string): string => {
    if (typeof ref !== 'string' || ref.length === 0)
      throw new ScenarioError(`${where}: name a call (an alias bound by "call"/"waitForCall", or an id)`);
    return calls[ref] ?? ref;
  };

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const headers: Record<string, string> = {
      ...(opts.controlKey !== undefined ? { 'x-switchboard-control-key': opts.controlKey } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    const res = await fetch(`${server}/_switchboard${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  };
  const must = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const r = await api(method, path, body);
    if (r.status >= 300)
      throw new ScenarioError(`${method} /_switchboard${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  type Row = Json & { sequence: number; status: string; body: { value: Json[] } };
  const page = async (after: number): Promise<Row[]> =>
    (await must('GET', `/notifications?after=${after}&limit=${PAGE}`)).value as Row[];
  // Notifications already in the outbox belong to earlier runs: only later ones are this scenario's.
  let cursor = 0;
  for (let rows = await page(0); rows.length > 0; rows = await page(cursor)) cursor = rows.at(-1)!.sequence;
  const seen = new Set<number>();
  const delivered: DeliveredNotification[] = [];
  // By object: one outbox row (sequence) may carry several notifications (a batched POST).
  const consumed = new Set<DeliveredNotification>();
  /** Prints what has been delivered since the last poll; the cursor stays before the first row still in flight. */
  const pollNotifications = async (): Promise<void> => {
    for (;;) {
      const rows = await page(cursor);
      let settledUpTo = cursor;
      let inFlight = false;
      for (const r of rows) {
        const final = r.status === 'delivered' || r.status === 'deadLettered';
        if (!final) inFlight = true;
        else if (!inFlight) settledUpTo = r.sequence;
        if (r.status !== 'delivered' || seen.has(r.sequence)) continue;
        seen.add(r.sequence);
        for (const v of r.body.value) {
          const n: DeliveredNotification = {
            sequence: r.sequence,
            callId: text(r.callId),
            status: r.status,
            createdDateTime: text(r.createdDateTime),
            changeType: text(v.changeType),
            resourceUrl: text(v.resourceUrl),
            resourceData: v.resourceData,
          };
          delivered.push(n);
          print(summarize(n, alias));
        }
      }
      cursor = settledUpTo;
      if (rows.length < PAGE || inFlight) return;
    }
  };
  const until = async <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await pollNotifications();
      const got = await probe();
      if (got !== undefined) return got;
      if (Date.now() > deadline) throw new ScenarioError(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(pollMs);
    }
  };
  const bind = (as: unknown, id: string): void => {
    if (typeof as !== 'string') return;
    calls[as] = id;
    names.set(id, as);
  };

  const clock = (await must('GET', '/clock')) as { mode?: string };
  print(`▶ ${scenario.name} (${scenario.steps.length} steps, ${clock.mode ?? 'real'} clock, ${server})`);
  for (const [i, step] of scenario.steps.entries()) {
    const kind = Object.keys(step)[0] as StepKind;
    const s = step[kind] as Json;
    const where = `steps[${i}].${kind}`;
    try {
      switch (kind) {
        case 'log':
          print(`• ${String(step.log)}`);
          break;
        case 'call': {
          const source = s.from as Json | undefined;
          const target = s.to as Json | undefined;
          if (!source || !target) throw new ScenarioError(`${where} needs "from" and "to"`);
          const idSet = (x: Json): Json =>
            Object.fromEntries(Object.entries(x).map(([k, v]) => [k, typeof v === 'string' ? { id: v } : v]));
          // Without a tenantId: the first tenant of the server's world.
          const tenantId =
            typeof s.tenantId === 'string' ? s.tenantId : ((await must('GET', '/people')).value as Json[])[0]?.tenantId;
          const leg = await must('POST', '/incoming-calls', {
            tenantId,
            source: idSet(source),
            target: idSet(target),
            requestedModalities: ['audio'],
          });
          bind(s.as, String(leg.id));
          print(
            `▶ ${i + 1}. ${JSON.stringify(source)} calls ${JSON.stringify(target)} → call ${alias(String(leg.id))}`,
          );
          break;
        }
        case 'advance': {
          const ms = step.advance;
          if (typeof ms !== 'number' || ms < 0)
            throw new ScenarioError(`${where} must be a non-negative number of milliseconds`);
          await pollNotifications();
          if (clock.mode === 'virtual') await must('POST', '/clock/advance', { ms });
          else await sleep(ms);
          print(`▶ ${i + 1}. clock +${ms} ms`);
          await pollNotifications();
          break;
        }
        case 'behaviour': {
          const { person, ...behaviour } = s;
          await must('PUT', `/people/${encodeURIComponent(String(person))}/behaviour`, behaviour);
          print(`▶ ${i + 1}. ${String(person)} now behaves ${JSON.stringify(behaviour)}`);
          break;
        }
        case 'act': {
          const { call, person, ...action } = s;
          const id = callId(call, where);
          const r = await must(
            'POST',
            `/calls/${id}/participants/${encodeURIComponent(String(person))}/actions`,
            action,
          );
          print(`▶ ${i + 1}. ${String(person)} in call ${alias(id)}: ${String(action.action)} (${String(r.status)})`);
          break;
        }
        case 'press': {
          const id = callId(s.call, where);
          const tones = text(s.tones);
          if (typeof s.person === 'string')
            await must('POST', `/calls/${id}/participants/${encodeURIComponent(s.person)}/actions`, {
              action: 'pressTones',
              tones,
            });
          else await must('POST', `/calls/${id}/tones`, { tones: [...tones] });
          print(
            `▶ ${i + 1}. ${typeof s.person === 'string' ? s.person : 'the caller'} presses ${tones} in call ${alias(id)}`,
          );
          break;
        }
        case 'waitForCall': {
          const timeoutMs = typeof s.timeoutMs === 'number' ? s.timeoutMs : defaultTimeout;
          if (s.gone === true) {
            const id = callId(s.call, where);
            await until(`call ${alias(id)} to end`, timeoutMs, async () =>
              (await api('GET', `/calls/${id}`)).status === 404 ? true : undefined,
            );
            print(`▶ ${i + 1}. call ${alias(id)} has ended`);
            break;
          }
          const q = new URLSearchParams();
          for (const k of ['state', 'kind', 'appId'] as const) if (typeof s[k] === 'string') q.set(k, s[k]);
          const want = s.call === undefined ? undefined : callId(s.call, where);
          const taken = new Set(Object.values(calls));
          const operations = typeof s.operations === 'number' ? s.operations : 0;
          const found = await until(`a call like ${JSON.stringify(s)}`, timeoutMs, async () => {
            const list = (await must('GET', `/calls?${q.toString()}`)).value as Json[];
            const c = list.find((x) => (want ? x.id === want : !taken.has(String(x.id))));
            if (!c || operations === 0) return c;
            // At least this many operations requested on the call (the bot's invites, prompts…).
            const detail = await api('GET', `/calls/${String(c.id)}`);
            return detail.status === 200 && (detail.body.operations as unknown[]).length >= operations ? c : undefined;
          });
          bind(s.as, String(found.id));
          print(
            `▶ ${i + 1}. call ${alias(String(found.id))} is ${String(found.state)}${found.conversation ? ` (${String((found.conversation as Json).kind)})` : ''}`,
          );
          break;
        }
        case 'expect': {
          const timeoutMs = typeof s.timeoutMs === 'number' ? s.timeoutMs : defaultTimeout;
          const id = s.call === undefined ? undefined : callId(s.call, where);
          const matches = (n: DeliveredNotification): boolean => {
            if (consumed.has(n) || (id && n.callId !== id)) return false;
            if (typeof s.changeType === 'string' && n.changeType !== s.changeType) return false;
            if (typeof s.resource === 'string') {
              const r = n.resourceUrl.includes('/operations/')
                ? 'operation'
                : n.resourceUrl.endsWith('/participants')
                  ? 'participants'
                  : 'call';
              if (r !== s.resource) return false;
            }
            return s.data === undefined || partialMatch(n.resourceData, s.data);
          };
          const hit = await until(`a notification like ${JSON.stringify(s)}`, timeoutMs, () =>
            Promise.resolve(delivered.find(matches)),
          );
          consumed.add(hit);
          bind(s.as, hit.callId);
          print(`✔ ${i + 1}. expected ${JSON.stringify(s)}`);
          break;
        }
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      print(`✘ ${i + 1}. ${where}: ${message}`);
      return { ok: false, failure: { step: i, message }, notifications: delivered, calls };
    }
  }
  await pollNotifications();
  print(`✔ ${scenario.name}: all ${scenario.steps.length} steps passed`);
  return { ok: true, failure: null, notifications: delivered, calls };
}
