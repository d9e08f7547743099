/**
 * Registry entries: the actions bound to a call's participants collection (`POST …/participants/{action}`) and to
 * one participant (`POST …/participants/{id}/{action}`).
 */
import {
  clientContextBodySchema,
  inviteBodySchema,
  muteAllBodySchema,
  startHoldMusicBodySchema,
} from '../schemas/bodies.js';
import { action, BETA, BOTH, notYet, type GraphAction } from './define.js';

export const PARTICIPANTS_ACTIONS: readonly GraphAction[] = [
  action({
    // Graph: 200 (not 202) with a Location to the operation and the operation as the body (seed 000).
    name: 'invite',
    on: 'participants',
    versions: BOTH,
    body: inviteBodySchema,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.invite(c.principal, c.callId, body, c.version),
    doc: {
      answer: "+ Running `inviteParticipantsOperation` (each echoed invitee's `id` is its participant id)",
      notifications: 'roster `updated`, operation `deleted` Completed/Failed',
    },
  }),
  action({
    // Beta only (deprecated there, still listed); group calls and meetings, like participant: mute.
    name: 'muteAll',
    on: 'participants',
    versions: BETA,
    body: muteAllBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.muteAll(c.principal, c.callId, body),
    doc: {
      accepts: '(`participants`: ids to mute; none: everyone but the bot asking)',
      answer: '+ Completed `muteParticipantsOperation` (`participants`: the ids muted)',
      notifications: 'roster `updated` `isMuted` for everyone it changed',
    },
  }),
  action({
    name: 'admitAllFromLobby',
    on: 'participants',
    versions: BETA,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.admitAllFromLobby(c.principal, c.callId, body),
    doc: {
      accepts: '(meetings)',
      answer: '+ Completed `admitAllFromLobbyOperation`',
      notifications: 'roster `updated` `isInLobby: false` for everyone who waited (none waiting: no roster change)',
    },
  }),
  notYet({ name: 'configureMixer', on: 'participants', versions: BETA, doc: { notifications: '—' } }),
  notYet({ name: 'lowerAllHands', on: 'participants', versions: BETA, doc: { notifications: '—' } }),
];

export const PARTICIPANT_ACTIONS: readonly GraphAction[] = [
  action({
    name: 'mute',
    on: 'participant',
    versions: BOTH,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.participantMute(c.principal, c.callId, c.participantId, body),
    doc: { answer: '+ Completed `muteParticipantOperation`', notifications: 'roster `updated` `isMuted`' },
  }),
  action({
    // Graph: 202 (not 200) with a Location and the operation as the body (spec 0, 4.21).
    name: 'startHoldMusic',
    on: 'participant',
    versions: BOTH,
    body: startHoldMusicBodySchema,
    optionalBody: true,
    status: 202,
    answers: 'operation',
    serve: (c, body) => c.service.holdMusic(c.principal, c.callId, c.participantId, true, body),
    doc: {
      accepts: '(group calls; one participant on hold at a time)',
      answer: '+ Running `startHoldMusicOperation`',
      notifications:
        "after 500 ms: operation `deleted` Completed, and roster `updated`: the participant's audio `receiveOnly` while on hold, `sendReceive` after",
    },
  }),
  action({
    name: 'stopHoldMusic',
    on: 'participant',
    versions: BOTH,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 202,
    answers: 'operation',
    serve: (c, body) => c.service.holdMusic(c.principal, c.callId, c.participantId, false, body),
    doc: {
      answer: '+ Running `stopHoldMusicOperation`',
      notifications:
        "after 500 ms: operation `deleted` Completed, and roster `updated`: the participant's audio `sendReceive` again",
    },
  }),
  action({
    // Beta only, as in Graph's metadata: on v1.0 the segment is unknown.
    name: 'admitFromLobby',
    on: 'participant',
    versions: BETA,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.lobby(c.principal, c.callId, c.participantId, 'admit', body),
    doc: { answer: '+ Completed `admitFromLobbyOperation`', notifications: 'roster `updated` `isInLobby: false`' },
  }),
  action({
    name: 'removeFromLobby',
    on: 'participant',
    versions: BETA,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.lobby(c.principal, c.callId, c.participantId, 'remove', body),
    doc: { answer: '+ Completed `removeFromLobbyOperation`', notifications: 'roster `deleted`' },
  }),
  notYet({ name: 'reportSyntheticMedia', on: 'participant', versions: BETA, doc: { notifications: '—' } }),
];
