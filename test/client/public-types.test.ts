/**
 * The package's public types (src/client/types.ts) are written apart from the server's so that its .d.ts stands
 * alone; this file keeps them true. At compile time (npm run typecheck): the server's world, people, faults and
 * enums are assignable both ways. At run time: every property of each control-API answer is the set the type names.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type * as Public from '../../src/client/types.js';
import { identity, SwitchboardControl } from '../../src/client/index.js';
import type { Fault } from '../../src/domain/faults.js';
import type { LaterAction } from '../../src/domain/person-actions.js';
import type { CallState, ConversationKind, OperationStatus } from '../../src/domain/types.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
} from '../../src/sim/default-world.js';
import type { AnswerBehaviour, Directory, World } from '../../src/sim/directory.js';
import type { ResetCounts, Store } from '../../src/store/store.js';
import { startFakeBot, type FakeBot } from '../helpers/fake-bot.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

type Person = ReturnType<Directory['people']>[number];
type StoreKind = Store['kind'];

describe('public types agree with the server', () => {
  it('at compile time: world, people, behaviours, faults, enums', () => {
    expectTypeOf<World>().toMatchTypeOf<Public.World>();
    expectTypeOf<Public.World>().toMatchTypeOf<World>();
    expectTypeOf<Person>().toEqualTypeOf<Public.Person>();
    expectTypeOf<AnswerBehaviour>().toEqualTypeOf<Public.AnswerBehaviour>();
    expectTypeOf<LaterAction>().toMatchTypeOf<Public.PersonAction>();
    expectTypeOf<Public.PersonAction>().toMatchTypeOf<LaterAction>();
    expectTypeOf<Fault>().toMatchTypeOf<Public.Fault>();
    expectTypeOf<Public.Fault>().toMatchTypeOf<Fault>();
    expectTypeOf<CallState>().toEqualTypeOf<Public.CallState>();
    expectTypeOf<ConversationKind>().toEqualTypeOf<Public.ConversationKind>();
    expectTypeOf<OperationStatus>().toEqualTypeOf<Public.OperationView['status']>();
    expectTypeOf<ResetCounts>().toEqualTypeOf<Public.ResetResult['dropped']>();
    expectTypeOf<StoreKind>().toEqualTypeOf<Public.Readiness['store']>();
  });
});

/** Every property name of T, each exactly once (the compiler refuses a missing or an extra one). */
const keysOf = <T>(keys: Record<keyof T, true>): string[] => Object.keys(keys).sort();

describe('public types name every property the control API answers with', () => {
  let server: TestServer;
  let bot: FakeBot;
  let control: SwitchboardControl;
  beforeAll(async () => {
    bot = await startFakeBot();
    server = await startTestServer(fastWorld(bot.url), { virtual: true });
    control = new SwitchboardControl(server.httpUrl);
  });
  afterAll(async () => {
    await server?.close();
    await bot?.close();
  });

  it('people, calls, roster, operations, notifications, clock, actions', async () => {
    const person = await control.people.get(DEFAULT_USERS.adele);
    expect(Object.keys(person).sort()).toEqual(
      keysOf<Public.Person>({ tenantId: true, kind: true, id: true, displayName: true, answer: true, then: true }),
    );

    const res = await fetch(`${server.httpUrl}/v1.0/communications/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        callbackUri: bot.url,
        requestedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        chatInfo: { threadId: DEFAULT_MEETING_THREADS.weeklySync, messageId: '0' },
        meetingInfo: {
          '@odata.type': '#microsoft.graph.organizerMeetingInfo',
          organizer: { user: { id: DEFAULT_USERS.bob, tenantId: DEFAULT_TENANT_ID } },
        },
        tenantId: DEFAULT_TENANT_ID,
      }),
    });
    const callId = ((await res.json()) as { id: string }).id;
    const move = await control.clock.advance(1000);
    expect(Object.keys(move).sort()).toEqual(
      keysOf<Public.ClockMove>({ mode: true, now: true, epochMs: true, steps: true, timersFired: true }),
    );
    expect(Object.keys(await control.clock.now()).sort()).toEqual(
      keysOf<Public.ClockView>({ mode: true, now: true, epochMs: true }),
    );

    const summary = (await control.calls.list()).find((c) => c.id === callId)!;
    const summaryKeys = {
      id: true,
      state: true,
      direction: true,
      tenantId: true,
      appId: true,
      apiVersion: true,
      createdDateTime: true,
      conversation: true,
      call: true,
    } as const;
    expect(Object.keys(summary).sort()).toEqual(keysOf<Public.CallSummary>(summaryKeys));
    expect(Object.keys(summary.conversation!).sort()).toEqual(
      keysOf<NonNullable<Public.CallSummary['conversation']>>({
        id: true,
        kind: true,
        threadId: true,
        meetingId: true,
        callChainId: true,
      }),
    );

    await fetch(`${server.httpUrl}/v1.0/communications/calls/${callId}/participants/invite`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ participants: [{ identity: { user: { id: DEFAULT_USERS.adele } } }] }),
    });
    await control.clock.advance(1000);
    const detail = await control.calls.get(callId);
    expect(Object.keys(detail).sort()).toEqual(
      keysOf<Public.CallDetail>({ ...summaryKeys, roster: true, operations: true, notifications: true }),
    );
    expect(Object.keys(detail.roster[0]!).sort()).toEqual(
      keysOf<Public.RosterEntry>({
        status: true,
        kind: true,
        callId: true,
        invitedByOperationId: true,
        onHold: true,
        outcome: true,
        participant: true,
      }),
    );
    const op = detail.operations[0]!;
    for (const k of keysOf<Public.OperationView>({
      '@odata.type': true,
      id: true,
      status: true,
      clientContext: true,
      resultInfo: true,
      type: true,
      createdDateTime: true,
      lastModifiedDateTime: true,
    }))
      expect(op).toHaveProperty([k]);
    expect(Object.keys(await control.calls.operations(callId)).sort()).toEqual(
      keysOf<Public.CallOperations>({ callId: true, callEnded: true, value: true }),
    );

    const entry = detail.notifications[0]!;
    expect(Object.keys(entry).sort()).toEqual(
      keysOf<Public.NotificationLogEntry>({
        sequence: true,
        messageId: true,
        callId: true,
        tenantId: true,
        appId: true,
        callbackUri: true,
        createdDateTime: true,
        status: true,
        deliveredDateTime: true,
        nextAttemptDateTime: true,
        lastError: true,
        attempts: true,
        body: true,
      }),
    );
    expect(Object.keys(entry.attempts[0]!).sort()).toEqual(
      keysOf<Public.NotificationLogEntry['attempts'][number]>({
        attempt: true,
        startedDateTime: true,
        durationMs: true,
        statusCode: true,
        error: true,
      }),
    );
    expect(Object.keys(entry.body.value[0]!).sort()).toEqual(
      keysOf<Public.CommsNotification>({
        '@odata.type': true,
        changeType: true,
        resource: true,
        resourceUrl: true,
        resourceData: true,
      }),
    );

    const act = await control.calls.act(callId, DEFAULT_USERS.adele, { action: 'mute' });
    expect(Object.keys(act).sort()).toEqual(
      keysOf<Public.PersonActionResult>({
        participantId: true,
        action: true,
        tones: true,
        status: true,
        dueDateTime: true,
      }).filter((k) => k !== 'tones'),
    );

    const incoming = await control.incomingCall({
      tenantId: DEFAULT_TENANT_ID,
      source: identity.user(DEFAULT_USERS.alex),
      target: identity.application(DEFAULT_APP_ID),
    });
    expect(incoming).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      state: 'incoming',
      direction: 'incoming',
    } satisfies Partial<Public.GraphCall>);
  });
});
