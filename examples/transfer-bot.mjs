/**
 * Example bot: moves a caller from a peer-to-peer call into a meeting. It answers every incoming call, joins the
 * meeting (MEETING_THREAD_ID, default: the built-in world's weekly sync), and invites the caller there with
 * `replacesCallId` = the peer-to-peer call, so the caller moves without ringing and the P2P call ends.
 *
 *   NODE_EXTRA_CA_CERTS=.switchboard/tls/ca.pem node examples/transfer-bot.mjs
 */
import { callIdOf, DEFAULTS, isCallUpdate, serviceHostedMedia, startBot } from './bot-kit.mjs';

const meetingThread = process.env.MEETING_THREAD_ID ?? DEFAULTS.weeklySyncThread;
const organizerId = process.env.MEETING_ORGANIZER_ID ?? DEFAULTS.organizerId;
/** P2P call id → the caller's identity; meeting call id → the P2P call waiting to move into it. */
const callers = new Map();
const moving = new Map();

await startBot('transfer-bot', async (item, bot) => {
  const callId = callIdOf(item);
  const call = item.resourceData;
  if (item.changeType === 'created' && call?.state === 'incoming') {
    callers.set(callId, call.source.identity);
    await bot.graph
      .api(`/communications/calls/${callId}/answer`)
      .post({ callbackUri: bot.callbackUrl, acceptedModalities: ['audio'], mediaConfig: serviceHostedMedia });
    bot.note({ type: 'answered', callId });
    return;
  }
  if (isCallUpdate(item) && call?.state === 'established' && callers.has(callId)) {
    const meeting = await bot.graph.api('/communications/calls').post({
      '@odata.type': '#microsoft.graph.call',
      callbackUri: bot.callbackUrl,
      requestedModalities: ['audio'],
      mediaConfig: serviceHostedMedia,
      chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: meetingThread, messageId: '0' },
      meetingInfo: {
        '@odata.type': '#microsoft.graph.organizerMeetingInfo',
        organizer: {
          '@odata.type': '#microsoft.graph.identitySet',
          user: { '@odata.type': '#microsoft.graph.identity', id: organizerId, tenantId: bot.tenantId },
        },
      },
      tenantId: bot.tenantId,
    });
    moving.set(meeting.id, callId);
    bot.note({ type: 'joiningMeeting', callId: meeting.id, for: callId });
    return;
  }
  if (isCallUpdate(item) && call?.state === 'established' && moving.has(callId)) {
    const p2p = moving.get(callId);
    const op = await bot.graph.api(`/communications/calls/${callId}/participants/invite`).post({
      participants: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: callers.get(p2p),
          replacesCallId: p2p,
        },
      ],
      clientContext: `move:${p2p}`,
    });
    bot.note({ type: 'invited', callId, operationId: op.id, replacesCallId: p2p });
    return;
  }
  if (item.changeType === 'deleted' && item.resourceUrl.includes('/operations/')) {
    bot.note({
      type: 'moved',
      callId,
      status: call.status,
      clientContext: call.clientContext,
      resultInfo: call.resultInfo ?? null,
    });
  }
});
