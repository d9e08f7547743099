import { describe, expect, it } from 'vitest';
import { validateGraph, validateGraphCollection, validateNotificationEnvelope } from './graph-schema.js';

// Bodies copied from shared/spec/seeds/004_e22add9a2b3a4e48.txt (beta 2022, example 1 and 4).
const inviteResponse = () => ({
  '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
  id: 'eec3812a-fdc3-4fb4-825c-a06c9f35414e',
  status: 'Running',
  clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
  resultInfo: null,
  participants: [
    {
      endpointType: null,
      id: null,
      replacesCallId: 'a7ebfb2d-871e-419c-87af-27290b22e8db',
      identity: {
        user: {
          id: '278405a3-f568-4b3e-b684-009193463064',
          identityProvider: 'AAD',
          tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        },
        application: null,
        device: null,
        phone: null,
      },
    },
  ],
});

const pstnInviteResponse = () => ({
  '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
  id: 'eec3812a-fdc3-4fb4-825c-a06c9f35414e',
  status: 'Running',
  clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
  resultInfo: null,
  participants: [
    {
      endpointType: null,
      id: null,
      replacesCallId: null,
      identity: {
        user: null,
        guest: null,
        encrypted: null,
        onPremises: null,
        applicationInstance: null,
        application: null,
        device: null,
        phone: { '@odata.type': '#microsoft.graph.identity', id: '+12345678901' },
      },
    },
  ],
});

const operationDeleted = (status: string) => ({
  '@odata.type': '#microsoft.graph.commsNotifications',
  value: [
    {
      '@odata.type': '#microsoft.graph.commsNotification',
      changeType: 'deleted',
      resource: '/app/calls/ab6233a5-20b7-4c5e-bea2-ce56c9776429/operations/eec3812a-fdc3-4fb4-825c-a06c9f35414e',
      resourceUrl:
        '/communications/calls/ab6233a5-20b7-4c5e-bea2-ce56c9776429/operations/eec3812a-fdc3-4fb4-825c-a06c9f35414e',
      resourceData: {
        '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
        participants: [
          {
            '@odata.type': '#microsoft.graph.invitationParticipantInfo',
            identity: {
              '@odata.type': '#microsoft.graph.identitySet',
              user: {
                '@odata.type': '#microsoft.graph.identity',
                id: '278405a3-f568-4b3e-b684-009193463064',
                identityProvider: 'AAD',
                tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
              },
            },
          },
        ],
        status,
        clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
        id: 'eec3812a-fdc3-4fb4-825c-a06c9f35414e',
      },
    },
  ],
});

const rosterUpdated = (participantId: string | null) => ({
  '@odata.type': '#microsoft.graph.commsNotifications',
  value: [
    {
      '@odata.type': '#microsoft.graph.commsNotification',
      changeType: 'updated',
      resource: '/app/calls/ab6233a5-20b7-4c5e-bea2-ce56c9776429/participants',
      resourceUrl: '/communications/calls/ab6233a5-20b7-4c5e-bea2-ce56c9776429/participants',
      resourceData: [
        {
          '@odata.type': '#microsoft.graph.participant',
          info: {
            '@odata.type': '#microsoft.graph.participantInfo',
            identity: {
              '@odata.type': '#microsoft.graph.identitySet',
              phone: { '@odata.type': '#microsoft.graph.identity', id: '+12345678901' },
            },
            endpointType: 'default',
          },
          mediaStreams: [
            {
              '@odata.type': '#microsoft.graph.mediaStream',
              mediaType: 'audio',
              sourceId: '1',
              direction: 'sendReceive',
              serverMuted: false,
            },
          ],
          isMuted: false,
          isInLobby: false,
          id: participantId,
        },
      ],
    },
  ],
});

// spec §2 incoming-call notification (v1.0 doc example; ids shortened there, completed here).
const incomingCall = () => ({
  '@odata.type': '#microsoft.graph.commsNotifications',
  value: [
    {
      '@odata.type': '#microsoft.graph.commsNotification',
      changeType: 'created',
      resource: '/app/calls/491f0b00-ffff-4bc9-a43e-b226498ec22a',
      resourceUrl: '/communications/calls/491f0b00-ffff-4bc9-a43e-b226498ec22a',
      resourceData: {
        '@odata.type': '#microsoft.graph.call',
        '@odata.etag': 'W/"5445"',
        state: 'incoming',
        direction: 'incoming',
        callbackUri: 'https://bot.contoso.com/api/calls/24701998-1a73-4d42-8085-bf46ed0ae039',
        source: {
          '@odata.type': '#microsoft.graph.participantInfo',
          identity: {
            '@odata.type': '#microsoft.graph.identitySet',
            user: {
              '@odata.type': '#microsoft.graph.identity',
              id: '8d1e6ab6-1111-4ae3-9f0c-6b7b5a1ffe22',
              tenantId: '632899f8-2ea1-4604-8413-27bd2892079f',
            },
          },
          region: 'amer',
        },
        targets: [
          {
            '@odata.type': '#microsoft.graph.invitationParticipantInfo',
            identity: {
              '@odata.type': '#microsoft.graph.identitySet',
              applicationInstance: {
                '@odata.type': '#microsoft.graph.identity',
                displayName: 'PstnAppInstance',
                id: '7629bdce-2222-4d93-a3f7-6e5b1f2c1d11',
                tenantId: '632899f8-2ea1-4604-8413-27bd2892079f',
              },
            },
            endpointType: 'default',
            region: 'amer',
            languageId: null,
          },
        ],
        tenantId: '632899f8-2ea1-4604-8413-27bd2892079f',
        myParticipantId: 'c339cede-3333-4b4b-a8a4-9b8e7a5f1c00',
        id: '491f0b00-ffff-4bc9-a43e-b226498ec22a',
      },
    },
  ],
});

const messageOf = (fn: () => void): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected validation to fail');
};

describe('validateGraph', () => {
  it('accepts the seed invite responses (status "Running"), as the subtype and as commsOperation', () => {
    validateGraph('inviteParticipantsOperation', inviteResponse());
    validateGraph('commsOperation', inviteResponse());
    validateGraph('inviteParticipantsOperation', pstnInviteResponse());
  });

  it('rejects a lowercase operation status (CSDL spells operationStatus in PascalCase)', () => {
    const msg = messageOf(() =>
      validateGraph('inviteParticipantsOperation', { ...inviteResponse(), status: 'running' }),
    );
    expect(msg).toContain(
      '/status: must be equal to one of the allowed values ["NotStarted","Running","Completed","Failed"]',
    );
  });

  it('rejects unknown keys on closed types but allows OData annotations', () => {
    expect(messageOf(() => validateGraph('resultInfo', { code: 500, subCode: 7000 }))).toContain(
      "unevaluated properties 'subCode'",
    );
    validateGraph('resultInfo', { code: 500, subCode: 7000 }, { closed: false });
    validateGraph('resultInfo', {
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 200,
      subcode: 5001,
      message: 'The conversation has ended.',
    });
    validateGraph('participant', {
      '@odata.type': '#microsoft.graph.participant',
      '@odata.id': '/x',
      '@odata.etag': 'W/"1"',
      id: 'p1',
      isMuted: false,
    });
  });

  it('rejects an @odata.type outside the declared type hierarchy (doc quirk: info tagged invitationParticipantInfo)', () => {
    const participant = {
      id: 'p1',
      info: { '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: {} },
    };
    expect(messageOf(() => validateGraph('participant', participant))).toContain('/info/@odata.type');
  });

  it('rejects wrong primitive types and enum members', () => {
    const msg = messageOf(() =>
      validateGraph('call', { state: 'ringing', direction: 'incoming', requestedModalities: ['audio'], tenantId: 5 }),
    );
    expect(msg).toContain('/state: must be equal to one of the allowed values');
    expect(msg).toContain('/tenantId: must be string');
  });

  it('validates collections item by item', () => {
    validateGraphCollection('participant', { value: [{ id: 'p1', isMuted: false }] });
    expect(messageOf(() => validateGraphCollection('participant', { value: [{ id: 1 }] }))).toContain(
      '/value/0/id: must be string',
    );
    expect(() => validateGraph('noSuchType', {})).toThrow(/No Graph schema/);
  });
});

describe('validateNotificationEnvelope', () => {
  it('rejects the seed operation notification with lowercase "completed", accepts "Completed"', () => {
    const msg = messageOf(() => validateNotificationEnvelope(operationDeleted('completed')));
    expect(msg).toContain('/value/0/resourceData/status: must be equal to one of the allowed values');
    validateNotificationEnvelope(operationDeleted('Completed'));
  });

  it('rejects the seed roster with "id": null, accepts it with a participant id', () => {
    expect(messageOf(() => validateNotificationEnvelope(rosterUpdated(null)))).toContain(
      '/value/0/resourceData/0/id: must be string',
    );
    validateNotificationEnvelope(rosterUpdated('a8e2b1c4-1234-4c1f-9c1e-0a1b2c3d4e5f'));
  });

  it('accepts the documented incoming-call notification', () => {
    validateNotificationEnvelope(incomingCall());
  });

  it('checks the envelope annotations and required fields', () => {
    const body = incomingCall() as Record<string, unknown> & { value: Record<string, unknown>[] };
    delete body['@odata.type'];
    delete body.value[0]!.resource;
    body.value[0]!.changeType = 'Created';
    const msg = messageOf(() => validateNotificationEnvelope(body));
    expect(msg).toContain("/: must have required property '@odata.type'");
    expect(msg).toContain("/value/0: must have required property 'resource'");
    expect(msg).toContain(
      '/value/0/changeType: must be equal to one of the allowed values ["created","updated","deleted"]',
    );
  });

  it('checks resourceData against resourceUrl: roster must be an array, operations must be commsOperations', () => {
    const roster = rosterUpdated('p1');
    const entry = roster.value[0]!;
    expect(
      messageOf(() =>
        validateNotificationEnvelope({ ...roster, value: [{ ...entry, resourceData: entry.resourceData[0] }] }),
      ),
    ).toContain('must be an array');
    const op = operationDeleted('Completed');
    const wrong = {
      ...op,
      value: [{ ...op.value[0]!, resourceData: { '@odata.type': '#microsoft.graph.participant', id: 'p1' } }],
    };
    expect(messageOf(() => validateNotificationEnvelope(wrong))).toContain('is not a commsOperation');
    const untyped = { ...op, value: [{ ...op.value[0]!, resourceData: { status: 'Completed' } }] };
    expect(messageOf(() => validateNotificationEnvelope(untyped))).toContain("needs an '@odata.type'");
  });
});
