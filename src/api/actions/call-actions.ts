/** Registry entries: the actions bound to a call (`POST …/calls/{id}/{action}`). */
import {
  answerBodySchema,
  changeScreenSharingRoleBodySchema,
  clientContextBodySchema,
  playPromptBodySchema,
  recordResponseBodySchema,
  redirectBodySchema,
  rejectBodySchema,
  sendDtmfTonesBodySchema,
  transferBodySchema,
  updateRecordingStatusBodySchema,
} from '../schemas/bodies.js';
import { action, BOTH, type GraphAction } from './define.js';

export const CALL_ACTIONS: readonly GraphAction[] = [
  action({
    name: 'answer',
    on: 'call',
    versions: BOTH,
    body: answerBodySchema,
    status: 202,
    answers: 'empty',
    serve: (c, body) => c.service.answer(c.principal, c.callId, body, c.version),
    doc: { notifications: '`updated` established' },
  }),
  action({
    name: 'reject',
    on: 'call',
    versions: BOTH,
    body: rejectBodySchema,
    optionalBody: true,
    status: 202,
    answers: 'empty',
    serve: (c, body) => c.service.rejectCall(c.principal, c.callId, body, c.version),
    doc: {
      accepts: '(`reason` `none`, `busy`, `forbidden`, any case)',
      notifications: '`deleted` terminated, `resultInfo` 603 / 486 / 403',
    },
  }),
  action({
    // Graph: 200 OK with no body (not 202, not 204).
    name: 'keepAlive',
    on: 'call',
    versions: BOTH,
    body: null,
    status: 200,
    answers: 'empty',
    serve: (c) => c.service.keepAlive(c.principal, c.callId),
    doc: { answer: 'no body', notifications: '— (no keepAlive for 45 min: terminated 408/8537)' },
  }),
  action({
    name: 'mute',
    on: 'call',
    versions: BOTH,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.selfMute(c.principal, c.callId, true, body),
    doc: { answer: '+ Completed `muteParticipantOperation`', notifications: 'roster `updated` `isMuted`' },
  }),
  action({
    name: 'unmute',
    on: 'call',
    versions: BOTH,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.selfMute(c.principal, c.callId, false, body),
    doc: { answer: '+ Completed `unmuteParticipantOperation`', notifications: 'roster `updated` `isMuted`' },
  }),
  action({
    name: 'redirect',
    on: 'call',
    versions: BOTH,
    body: redirectBodySchema,
    status: 202,
    answers: 'empty',
    serve: (c, body) => c.service.redirect(c.principal, c.callId, body, c.version),
    doc: {
      notifications:
        'the targets ring at once (the call is `redirecting`); the first to pick up: `deleted` terminated (no resultInfo, as documented); nobody within `timeout`: `deleted` terminated with why (408/10057, 603/10020, 486/10021)',
    },
  }),
  action({
    name: 'transfer',
    on: 'call',
    versions: BOTH,
    body: transferBodySchema,
    status: 202,
    answers: 'empty',
    serve: (c, body) => c.service.transfer(c.principal, c.callId, body),
    doc: {
      accepts:
        '(blind; consultative with `transferTarget.replacesCallId`; out of a group call or meeting with `transferee.participantId`)',
      notifications:
        '`updated` transferring → `updated` transferAccepted → `deleted` terminated `0/7015` (group call or meeting: the transferee leaves the roster with the bot, other bots there get a roster `deleted`); target declines/busy/no answer: `updated` established `500/7000` (`7700` consultative)',
    },
  }),
  action({
    name: 'subscribeToTone',
    on: 'call',
    versions: BOTH,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.subscribeToTone(c.principal, c.callId, body),
    doc: {
      answer: '+ Completed `subscribeToToneOperation`',
      notifications:
        'each key the person presses (control API `…/tones`): call `updated` with `toneInfo {sequenceId, tone}`',
    },
  }),
  action({
    name: 'sendDtmfTones',
    on: 'call',
    versions: BOTH,
    body: sendDtmfTonesBodySchema,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.sendDtmfTones(c.principal, c.callId, body),
    doc: {
      answer: '+ Running `sendDtmfTonesOperation`',
      notifications:
        "operation `deleted` Completed, `completionReason: completedSuccessfully`, after the tones' time on the clock (100 ms a tone + `delayBetweenTonesMs`, default 100)",
    },
  }),
  action({
    name: 'playPrompt',
    on: 'call',
    versions: BOTH,
    body: playPromptBodySchema,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.playPrompt(c.principal, c.callId, body),
    doc: {
      accepts: '(≤ 20 `mediaPrompt`s)',
      answer: '+ Running `playPromptOperation`',
      notifications:
        'operation `deleted` Completed `200/0` once the prompts have played (world `prompts` durations; prompts and recordings of a call play one after another)',
    },
  }),
  action({
    name: 'recordResponse',
    on: 'call',
    versions: BOTH,
    body: recordResponseBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.recordResponse(c.principal, c.callId, body, c.baseUrl),
    doc: {
      accepts: '(≤ 1 prompt; durations 1–120 s; `stopTones`)',
      answer: '+ Running `recordOperation` (`recordingLocation: null`)',
      notifications:
        'operation `deleted` Completed `200/8515` after the prompt + `maxRecordDurationInSeconds`, or `200/8514` when the person presses a stop tone (control API `…/tones`), with `recordingLocation` + `recordingAccessToken`: `GET` it with `Authorization: Bearer <recordingAccessToken>` → a generated WAV (PCM 16-bit mono 8 kHz) as long as the recording',
      notYet: 'silence timeouts and barge-in are accepted but not simulated',
    },
  }),
  action({
    name: 'cancelMediaProcessing',
    on: 'call',
    versions: BOTH,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.cancelMediaProcessing(c.principal, c.callId, body),
    doc: {
      answer: '+ Completed `cancelMediaProcessingOperation`',
      notifications:
        'each running or queued prompt/recording: operation `deleted` Failed `400/8508`, `completionReason: operationCanceled`',
    },
  }),
  action({
    name: 'updateRecordingStatus',
    on: 'call',
    versions: BOTH,
    body: updateRecordingStatusBodySchema,
    status: 200,
    answers: 'operation',
    serve: (c, body) => c.service.updateRecordingStatus(c.principal, c.callId, body),
    doc: {
      accepts: '(`recording`, `notRecording`, `failed`)',
      answer: '+ Completed `updateRecordingStatusOperation`',
      notifications:
        "roster `updated`: the bot's participant with `recordingInfo {initiator, recordingStatus}` (group calls and meetings; a P2P call has no roster)",
    },
  }),
  action({
    // Graph: 202 with no body (spec 4.16); the roster update follows.
    name: 'changeScreenSharingRole',
    on: 'call',
    versions: BOTH,
    body: changeScreenSharingRoleBodySchema,
    status: 202,
    answers: 'empty',
    serve: (c, body) => c.service.changeScreenSharingRole(c.principal, c.callId, body),
    doc: {
      accepts: '(`viewer`, `sharer`; app-hosted media, group calls)',
      answer: 'no body',
      notifications:
        "roster `updated`: the bot's participant with a `videoBasedScreenSharing` stream, `sendOnly` as sharer, `receiveOnly` as viewer",
    },
  }),
  action({
    // Graph: 202 with the operation as the body (call-addlargegalleryview.md), like hold music.
    name: 'addLargeGalleryView',
    on: 'call',
    versions: BOTH,
    body: clientContextBodySchema,
    optionalBody: true,
    status: 202,
    answers: 'operation',
    serve: (c, body) => c.service.addLargeGalleryView(c.principal, c.callId, body),
    doc: {
      accepts: '(group calls and meetings)',
      answer: '+ Running `addLargeGalleryViewOperation`',
      notifications:
        'after 500 ms: operation `deleted` Completed, and roster `updated` with the view as a participant (`application` identity with `ApplicationType: LargeGallery-V2`, audio `receiveOnly`, video `sendReceive`, `metadata` with its `audienceView`)',
      notYet: 'no video is sent',
    },
  }),
];
