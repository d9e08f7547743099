/**
 * The built-in world `npm start` loads. Ids are the ones in Graph's documentation examples, so a seed request
 * body, and the docs' create-call, join-meeting and invite example bodies, can be replayed unchanged against a fresh
 * server (test/conformance/docs-examples.test.ts posts them from test/fixtures/docs-examples/).
 */
import type { World } from './directory.js';

export const DEFAULT_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const DEFAULT_APP_ID = '0efc74f7-41c3-47a4-8775-7259bfef4241';
export const DEFAULT_APP_SECRET = 'switchboard-local-secret';
export const DEFAULT_INSTANCE_ID = '3d913abb-6c6b-4d2b-9a4e-3a1f7e0c5b21';

/** The people of the default world, by first name (ids from Graph's documentation examples where they exist). */
export const DEFAULT_USERS = {
  adele: '278405a3-f568-4b3e-b684-009193463064',
  alex: '7e1b4346-85a6-4bdd-abe3-d11c5d420efe',
  diego: '1e126418-44a0-4a94-a6f8-0efe1ad71acb',
  megan: '682b6c37-0729-4fab-ace6-d730d5d9137e',
  heidi: '550fae72-d251-43ec-868c-373732c2704f',
  testUser: '8a34a46b-3d17-4adc-8dce-dc4e7d572698',
  /** The organizer of the docs' meeting-join examples (create call, examples 5 and 6; Get call, example 2). */
  bob: '5810cede-f3cc-42eb-b2c1-e9bd5d53ec96',
  /** The callee of the docs' peer-to-peer create-call examples (create call, examples 1 and 2; Get call). */
  john: '112f7296-5fa4-42ca-bae8-6a692b15d4b8',
  /** The two callees of the docs' group-call examples (create call, examples 3 and 4). */
  user1: '98da8a1a-1b87-452c-a713-65d3f10b5555',
  user2: 'bf5aae9a-d11d-47a8-93b1-782504c95555',
  dana: 'd1e2c3b4-0001-4000-8000-00000000dec1',
  brian: 'd1e2c3b4-0002-4000-8000-0000000000b5',
  nora: 'd1e2c3b4-0003-4000-8000-00000000a0a0',
} as const;

/** The two meetings of the default world, both created by the default app. */
export const DEFAULT_MEETING_THREADS = {
  weeklySync: '19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2',
  incidentBridge: '19:meeting_NjA4ZWRiMTMtMGQ1Yy00ZTEyLWI3ZTgtYjNjMTFkOGE3Y2E0@thread.v2',
} as const;

/**
 * The other tenants the docs' v1.0 meeting-join examples name (create call, example 6: `aa67bd4c-…`; examples 5 and 7:
 * `86dc81db-…`, not even a GUID, copied as written). Each consents to the default app, a multi-tenant bot in Graph's
 * terms: it gets its token from that tenant's token endpoint, as the Graph calling SDK does for a meeting in another
 * organization, and those examples then work verbatim. They hold the docs' meeting (thread, organizer Bob, and for
 * `86dc81db-…` the join meeting id and passcode of example 7) and nobody else.
 */
export const DOCS_EXAMPLE_TENANTS = {
  appHostedJoin: 'aa67bd4c-8475-432d-bd41-39f255720e0a',
  serviceHostedJoin: '86dc81db-c112-4228-9222-63f3esaa1edb',
} as const;

/** Every calling role Graph defines (spec section 7). */
export const ALL_CALLING_ROLES = [
  'Calls.Initiate.All',
  'Calls.InitiateGroupCall.All',
  'Calls.JoinGroupCall.All',
  'Calls.JoinGroupCallAsGuest.All',
  'Calls.AccessMedia.All',
];

export function defaultWorld(): World {
  return {
    establishMs: 200,
    tenants: [
      {
        id: DEFAULT_TENANT_ID,
        displayName: 'Contoso',
        defaultPhoneAnswer: { action: 'accept', afterMs: 1500 },
        apps: [
          {
            id: DEFAULT_APP_ID,
            displayName: 'Switchboard Test Bot',
            secret: DEFAULT_APP_SECRET,
            roles: [...ALL_CALLING_ROLES, 'OnlineMeetings.ReadWrite.All'],
            callbackUri: null,
            instances: [{ id: DEFAULT_INSTANCE_ID, displayName: 'Calling Bot', phoneNumber: '+14255550100' }],
          },
        ],
        users: [
          { id: DEFAULT_USERS.adele, displayName: 'Adele Vance', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.alex, displayName: 'Alex Wilber', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.diego, displayName: 'Diego Siciliani', answer: { action: 'accept', afterMs: 1500 } },
          { id: DEFAULT_USERS.megan, displayName: 'Megan Bowen', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.heidi, displayName: 'Heidi Steen', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.testUser, displayName: 'Test User', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.bob, displayName: 'Bob Organizer', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.john, displayName: 'John', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.user1, displayName: 'user1', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.user2, displayName: 'user2', answer: { action: 'accept', afterMs: 1000 } },
          { id: DEFAULT_USERS.dana, displayName: 'Dana Declines', answer: { action: 'decline', afterMs: 2000 } },
          { id: DEFAULT_USERS.brian, displayName: 'Brian Busy', answer: { action: 'busy', afterMs: 500 } },
          { id: DEFAULT_USERS.nora, displayName: 'Nora Noanswer', answer: { action: 'noAnswer', afterMs: 30000 } },
        ],
        phones: [
          { number: '+12345678901', answer: { action: 'accept', afterMs: 1500 } },
          { number: '+14255550199', answer: { action: 'busy', afterMs: 1000 } },
        ],
        meetings: [
          {
            id: 'meeting-weekly-sync',
            threadId: DEFAULT_MEETING_THREADS.weeklySync,
            joinMeetingId: '1234567',
            organizerId: DEFAULT_USERS.bob,
            createdByAppId: DEFAULT_APP_ID,
            passcode: null,
            lobbyBypassScope: null,
            isDialInBypassEnabled: false,
          },
          {
            id: 'meeting-incident-bridge',
            threadId: DEFAULT_MEETING_THREADS.incidentBridge,
            joinMeetingId: '7654321',
            organizerId: DEFAULT_USERS.bob,
            createdByAppId: DEFAULT_APP_ID,
            passcode: null,
            lobbyBypassScope: null,
            isDialInBypassEnabled: false,
          },
        ],
      },
      {
        id: DOCS_EXAMPLE_TENANTS.appHostedJoin,
        displayName: 'Docs example tenant (create call, example 6)',
        defaultPhoneAnswer: { action: 'accept', afterMs: 1500 },
        consentedApps: [DEFAULT_APP_ID],
        apps: [],
        users: [],
        phones: [],
        meetings: [
          {
            id: 'meeting-docs-app-hosted-join',
            threadId: DEFAULT_MEETING_THREADS.weeklySync,
            joinMeetingId: '2345678',
            organizerId: DEFAULT_USERS.bob,
            createdByAppId: null,
            passcode: null,
            lobbyBypassScope: null,
            isDialInBypassEnabled: false,
          },
        ],
      },
      {
        id: DOCS_EXAMPLE_TENANTS.serviceHostedJoin,
        displayName: 'Docs example tenant (create call, examples 5 and 7)',
        defaultPhoneAnswer: { action: 'accept', afterMs: 1500 },
        consentedApps: [DEFAULT_APP_ID],
        apps: [],
        users: [],
        phones: [],
        meetings: [
          {
            id: 'meeting-docs-service-hosted-join',
            threadId: DEFAULT_MEETING_THREADS.weeklySync,
            joinMeetingId: '1234567',
            organizerId: DEFAULT_USERS.bob,
            createdByAppId: null,
            passcode: 'psw123',
            lobbyBypassScope: null,
            isDialInBypassEnabled: false,
          },
        ],
      },
    ],
  };
}
