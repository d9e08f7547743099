/**
 * fast-check generators for guarantee 3: one hostile request per run, for any route the server registered. Each
 * request carries exactly one "fatal" flaw that must make the server refuse it (so a 2xx is a bug, not luck), on
 * top of random noise (odd, huge or duplicated headers, unicode, query strings) that must not change that.
 */
import fc from 'fast-check';
import type { RouteInfo } from '../../src/app.js';

export interface RealIds {
  callId: string;
  participantId: string;
  operationId: string;
  personId: string;
  tenantId: string;
  token: string;
}

export interface Limits {
  bodyLimit: number;
  maxJsonDepth: number;
  maxArrayItems: number;
}

export type Shape = 'graph' | 'aad';

export interface HostileRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  payload?: string;
  /** The flaw that must get the request refused. */
  fatal: string;
  /** '4xx': must be refused; 'not5xx': an input-less route (a static document), which may answer 200. */
  expect: '4xx' | 'not5xx';
  shape: Shape;
}

const GRAPH = /^\/(v1\.0|beta)\//i;
const CONTROL = /^\/_switchboard(\/|$)/;
const TOKEN = /\/oauth2\/v2\.0\/token$/;

/** Strings built to break things: unicode, control characters, prototype names, very long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    ' ',
    '\u0000',
    '\u202e\u0000\u001b[31m',
    'null',
    'NaN',
    '%00',
    '%2e%2e',
    'ｃａｌｌ',
    '😀😀😀',
    "'; DROP TABLE outbox; --",
  ),
  fc.integer({ min: 200, max: 5_000 }).map((n) => 'é'.repeat(n)),
);

/** A header value a client can actually send (visible Latin-1, no CR/LF), hostile in content and length. */
const headerSafe = (s: string): string => s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
const hostileHeader: fc.Arbitrary<string> = fc.oneof(
  hostileString.map(headerSafe),
  fc.integer({ min: 129, max: 8_000 }).map((n) => 'h'.repeat(n)),
);

/** Any JSON value, including objects with prototype-looking keys. */
const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

const wrongTypeFor = (v: unknown): fc.Arbitrary<unknown> => {
  // Never null: Graph properties are mostly nullable, so null is no wrong type.
  const options: fc.Arbitrary<unknown>[] = [fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })];
  if (typeof v !== 'string') options.push(hostileString);
  if (typeof v !== 'object' || Array.isArray(v)) options.push(fc.constant({}));
  return fc.oneof(...options).filter((w) => typeof w !== typeof v || Array.isArray(w) !== Array.isArray(v));
};

/** The route's path with each parameter filled: real ids, one of them replaced by a hostile one when asked. */
function fillPath(
  url: string,
  ids: RealIds,
  action: string | null,
  hostileParam: { name: string; value: string } | null,
): string {
  return url.replace(/\*$/, 'notServedYet').replace(/:(\w+)/g, (_m, name: string) => {
    if (hostileParam?.name === name) return encodeURIComponent(hostileParam.value);
    switch (name) {
      case 'callId':
        return ids.callId;
      case 'participantId':
        return ids.participantId;
      case 'operationId':
        return ids.operationId;
      case 'id':
        return url.includes('/people/') ? ids.personId : ids.callId;
      case 'tenant':
        return ids.tenantId;
      case 'userId':
        return ids.personId;
      case 'meetingId':
        return 'MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZi';
      case 'groupId':
        // An audioRoutingGroup id (none exists here: a real request would answer 404 too).
        return 'oneToOne';
      case 'action':
        return action ?? 'keepAlive';
      case 'ringId':
        // A softphone ring (an answer timer's id): none rings here, so a real-looking one answers 409 too.
        return 'invitee-00000000-0000-4000-8000-000000000000';
      case 'messageId':
        // A notification's message id (redeliver): no dead letter exists here, so a real one would answer 409 too.
        return '00000000-0000-4000-8000-000000000000';
      default:
        throw new Error(`unknown path parameter :${name} in ${url}: teach hostile-requests.ts about it`);
    }
  });
}

/** A body that would be accepted (and change state) were it not for the fatal flaw; null for bodiless routes. */
function template(route: RouteInfo, action: string | null, ids: RealIds): Record<string, unknown> | null {
  const url = route.url;
  // Catch-all routes (`…/calls/*`) serve paths not implemented yet: no body makes them succeed.
  if (url.includes('*') || !(route.method === 'POST' || (route.method === 'PUT' && CONTROL.test(url)))) return null;
  const serviceHosted = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };
  const user = (id: string) => ({ identity: { user: { id } } });
  if (GRAPH.test(url)) {
    if (/\/calls$/.test(url))
      return {
        callbackUri: 'https://bot.example/api/calls',
        mediaConfig: serviceHosted,
        requestedModalities: ['audio'],
        chatInfo: { threadId: '19:hostile@thread.v2', messageId: '0' },
        tenantId: ids.tenantId,
      };
    if (/participants\/:action$/.test(url)) return { participants: [user(ids.personId)], clientContext: 'c' };
    if (/:participantId\/:action$/.test(url)) return { clientContext: 'c' };
    switch (action) {
      case 'answer':
        return {
          callbackUri: 'https://bot.example/api/calls',
          acceptedModalities: ['audio'],
          mediaConfig: serviceHosted,
        };
      case 'reject':
        return { reason: 'busy' };
      case 'redirect':
        return { targets: [user(ids.personId)], timeout: 30 };
      case 'transfer':
        return { transferTarget: user(ids.personId) };
      case 'mute':
      case 'unmute':
        return { clientContext: 'c' };
      default:
        return null;
    }
  }
  if (url === '/_switchboard/incoming-calls')
    return {
      tenantId: ids.tenantId,
      source: { user: { id: ids.personId } },
      target: { application: { id: 'app' } },
      requestedModalities: ['audio'],
    };
  if (url.endsWith('/behaviour')) return { answer: { action: 'decline', afterMs: 5 } };
  if (url.endsWith('/actions')) return { action: 'hangUp' };
  if (url.includes('/rings/')) return { answer: 'accept' };
  if (url.endsWith('/clock/advance')) return { ms: 1 };
  if (url.endsWith('/clock/set')) return { time: '2030-01-01T00:00:00Z' };
  return null;
}

const CALL_ACTIONS = ['answer', 'reject', 'redirect', 'transfer', 'keepAlive', 'mute', 'unmute'];

/** Body flaws any JSON route refuses at parsing, before a handler runs. */
function parseFlaws(
  limits: Limits,
  valid: string,
): fc.Arbitrary<{ fatal: string; payload: string; contentType?: string }>[] {
  const json = 'application/json';
  return [
    fc.record({
      fatal: fc.constant('malformed JSON'),
      payload: fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
        .filter((t) => t.trim() !== '' && !parses(t)),
      contentType: fc.constant(json),
    }),
    fc
      .integer({ min: 1, max: Math.max(1, valid.length - 1) })
      .map((cut) => ({ fatal: 'truncated JSON', payload: valid.slice(0, cut), contentType: json }))
      .filter((r) => !parses(r.payload) && r.payload.trim() !== ''),
    fc.constantFrom('__proto__', 'constructor').chain((key) =>
      fc.record({
        fatal: fc.constant(`${key} key`),
        payload: fc.integer({ min: 0, max: 3 }).map((depth) => {
          const poison =
            key === '__proto__' ? '{"__proto__":{"polluted":true}}' : '{"constructor":{"prototype":{"polluted":true}}}';
          return valid.replace(/^\{/, `{"x":${'['.repeat(depth)}${poison}${']'.repeat(depth)},`);
        }),
        contentType: fc.constant(json),
      }),
    ),
    fc.integer({ min: 1, max: 4_096 }).map((extra) => ({
      fatal: 'body over the size limit',
      payload: JSON.stringify({ pad: 'x'.repeat(limits.bodyLimit + extra) }),
      contentType: json,
    })),
    fc.integer({ min: limits.maxJsonDepth + 1, max: limits.maxJsonDepth * 20 }).map((depth) => ({
      fatal: 'nesting over the depth limit',
      payload: valid.replace(/^\{/, `{"deep":${'['.repeat(depth)}${']'.repeat(depth)},`),
      contentType: json,
    })),
    fc.integer({ min: limits.maxArrayItems + 1, max: limits.maxArrayItems * 3 }).map((n) => ({
      fatal: 'array over the item limit',
      payload: valid.replace(/^\{/, `{"many":[${Array.from({ length: n }, (_v, i) => i).join(',')}],`),
      contentType: json,
    })),
    fc.record({
      fatal: fc.constant('wrong content type'),
      payload: fc.constant(valid),
      contentType: fc.constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonx',
        'application/json-patch+json',
        'text/json',
        '',
      ),
    }),
  ];
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Noise that must not change the outcome: client-request-id, duplicated and odd headers, a query string. */
const noise: fc.Arbitrary<{ headers: Record<string, string | string[]>; query: string }> = fc.record({
  headers: fc.record(
    {
      'client-request-id': fc.oneof(hostileHeader, fc.array(hostileHeader, { minLength: 2, maxLength: 3 })),
      accept: fc.oneof(fc.constant('application/json'), hostileHeader),
      'x-hostile': fc.array(hostileHeader, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
  query: fc.oneof(
    fc.constant(''),
    fc.dictionary(hostileString, hostileString, { maxKeys: 3 }).map((d) => `?${new URLSearchParams(d).toString()}`),
  ),
});

/** One hostile request for `route`. */
export function hostileRequestFor(route: RouteInfo, ids: RealIds, limits: Limits): fc.Arbitrary<HostileRequest> {
  const isGraph = GRAPH.test(route.url);
  const isToken = TOKEN.test(route.url);
  const shape: Shape = isGraph || CONTROL.test(route.url) ? 'graph' : 'aad';
  const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);
  const bearer = `Bearer ${ids.token}`;

  return fc.tuple(fc.constantFrom(...CALL_ACTIONS), noise).chain(([action, n]) => {
    const body = template(route, params.includes('action') ? action : null, ids);
    const valid = JSON.stringify(body ?? { clientContext: 'c' });
    const flaws: fc.Arbitrary<{
      fatal: string;
      path: string;
      auth: string | null;
      payload?: string;
      contentType?: string;
    }>[] = [];
    const path = (hostile: { name: string; value: string } | null) =>
      fillPath(route.url, ids, params.includes('action') ? action : null, hostile);
    const auth = isGraph ? bearer : null;
    if (isGraph) {
      flaws.push(
        fc.constant({
          fatal: 'no Authorization',
          path: path(null),
          auth: null,
          ...(body ? { payload: valid, contentType: 'application/json' } : {}),
        }),
      );
      flaws.push(
        fc
          .oneof(
            hostileHeader,
            hostileHeader.map((h) => `Bearer ${h}`),
            fc.constant(`${bearer}, Bearer x`),
            fc.constant(`Basic ${Buffer.from('a:b').toString('base64')}`),
          )
          .map((a) => ({ fatal: 'bad Authorization', path: path(null), auth: a })),
      );
    }
    // A hostile path parameter (a hostile :action on a call is an unknown segment, 400).
    for (const name of params) {
      flaws.push(
        hostileString
          .filter((v) => v !== '' && !/^\.+$/.test(v))
          .map((value) => ({
            fatal: `hostile :${name}`,
            path: path({ name, value: `zz${value}` }),
            auth,
            ...(body ? { payload: valid, contentType: 'application/json' } : {}),
          })),
      );
    }
    if (hasBody && !isToken)
      for (const f of parseFlaws(limits, valid)) flaws.push(f.map((p) => ({ ...p, path: path(null), auth })));
    if (body) {
      // Wrong types: every top-level property replaced by a value of another JSON type; or a body that is no object.
      const entries = Object.entries(body);
      flaws.push(
        fc.tuple(...entries.map(([, v]) => wrongTypeFor(v))).map((wrong) => ({
          fatal: 'wrong types',
          path: path(null),
          auth,
          payload: JSON.stringify(Object.fromEntries(entries.map(([k], i) => [k, wrong[i]]))),
          contentType: 'application/json',
        })),
      );
      // (JSON null is taken as "no body", which bodiless actions such as keepAlive accept.)
      flaws.push(
        anyJson
          .filter((v) => v !== null && (typeof v !== 'object' || Array.isArray(v)))
          .map((v) => ({
            fatal: 'body not an object',
            path: path(null),
            auth,
            payload: JSON.stringify(v),
            contentType: 'application/json',
          })),
      );
    }
    if (route.url === '/_switchboard/events') {
      // A valid request opens an endless event stream; only refusals are generated here (test/sim/feed.test.ts streams).
      flaws.push(
        fc
          .oneof(hostileString, fc.constantFrom('-1', '1.5', 'Infinity', '0x10', 'abc'))
          .filter((v) => v !== '' && !/^\d+$/.test(v))
          .map((v) => ({ fatal: 'bad after', path: `${route.url}?after=${encodeURIComponent(v)}`, auth: null })),
      );
    }
    if (route.url === '/_switchboard/notifications') {
      const validLimit = (v: string): boolean => Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 10_000;
      flaws.push(
        fc
          .oneof(hostileString, fc.constantFrom('0', '-1', '10001', '1.5', 'Infinity', '0x10'))
          .filter((v) => !validLimit(v))
          .map((v) => ({ fatal: 'bad limit', path: `${route.url}?limit=${encodeURIComponent(v)}`, auth: null })),
      );
    }
    if (isToken) {
      const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
      flaws.push(
        fc
          .record(
            {
              grant_type: fc.oneof(fc.constant('client_credentials'), hostileString),
              client_id: fc.oneof(fc.constant('0efc74f7-41c3-47a4-8775-7259bfef4241'), hostileString),
              client_secret: hostileString,
              scope: fc.oneof(fc.constant('https://graph.microsoft.com/.default'), hostileString),
            },
            { requiredKeys: [] },
          )
          .map((o) => ({
            fatal: 'bad client credentials',
            path: path(null),
            auth: null,
            payload: form(o),
            contentType: 'application/x-www-form-urlencoded',
          })),
      );
      flaws.push(
        fc.oneof(fc.constant(valid), fc.string({ maxLength: 100 })).map((p) => ({
          fatal: 'not a form',
          path: path(null),
          auth: null,
          payload: p,
          contentType: 'application/json',
        })),
      );
    }
    const expectRefusal = flaws.length > 0;
    if (!expectRefusal) flaws.push(fc.constant({ fatal: 'none (input-less route)', path: path(null), auth: null }));
    return fc.oneof(...flaws).map((f): HostileRequest => {
      const headers: Record<string, string | string[]> = { ...n.headers };
      if (f.auth !== null) headers.authorization = f.auth;
      if (f.payload !== undefined && f.contentType !== '')
        headers['content-type'] = f.contentType ?? 'application/json';
      return {
        method: route.method,
        url: f.path + (f.fatal === 'bad limit' || f.fatal === 'bad after' ? '' : n.query),
        headers,
        ...(f.payload !== undefined ? { payload: f.payload } : {}),
        fatal: f.fatal,
        expect: expectRefusal ? '4xx' : 'not5xx',
        shape,
      };
    });
  });
}
