/**
 * Example bot: an incident hotline. When someone calls it, it answers, joins the incident bridge meeting
 * (MEETING_THREAD_ID, default: the built-in world's incident bridge) and invites everyone on call (ONCALL: user
 * ids, comma-separated; default Adele, Dana and Nora of the built-in world), one invite each, so each answer is
 * reported on its own: joined, declined (603), busy (486) or did not answer (408).
 *
 *   NODE_EXTRA_CA_CERTS=.switchboard/tls/ca.pem node examples/incident-bot.mjs
 */
import { callIdOf, DEFAULTS, isCallUpdate, serviceHostedMedia, startBot } from './bot-kit.mjs';

const meetingThread = process.env.MEETING_THREAD_ID ?? DEFAULTS.incidentBridgeThread;
const organizerId = process.env.MEETING_ORGANIZER_ID ?? DEFAULTS.organizerId;
const onCall = (
  process.env.ONCALL ??
  '278405a3-f568-4b3e-b684-009193463064,d1e2c3b4-0001-4000-8000-00000000dec1,d1e2c3b4-0003-4000-8000-00000000a0a0'
).split(',');
const hotlineCalls = new Set();
const bridges = new Set();

await startBot('incident-bot', async (item, bot) => {
  const callId = callIdOf(item);
  const call = item.resourceData;
  if (item.changeType === 'created' && call?.state === 'incoming') {
    hotlineCalls.add(callId);
    await bot.graph
      .api(`/communications/calls/${callId}/answer`)
      .post({ callbackUri: bot.callbackUrl, acceptedModalities: ['audio'], mediaConfig: serviceHostedMedia });
    bot.note({ type: 'answered', callId });
    return;
  }
  if (isCallUpdate(item) && call?.state === 'established' && hotlineCalls.has(callId)) {
    hotlineCalls.delete(callId);
    const bridge = await bot.graph.api('/communications/calls').post({
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
    bridges.add(bridge.id);
    bot.note({ type: 'joiningBridge', callId: bridge.id });
    return;
  }
  if (isCallUpdate(item) && call?.state === 'established' && bridges.has(callId)) {
    bridges.delete(callId);
    for (const userId of onCall) {
      const op = await bot.graph.api(`/communications/calls/${callId}/participants/invite`).post({
        participants: [
          {
            '@odata.type': '#microsoft.graph.invitationParticipantInfo',
            identity: {
              '@odata.type': '#microsoft.graph.identitySet',
              user: { '@odata.type': '#microsoft.graph.identity', id: userId },
            },
          },
        ],
        clientContext: `oncall:${userId}`,
      });
      bot.note({ type: 'paged', userId, operationId: op.id });
    }
    return;
  }
  if (
    item.changeType === 'deleted' &&
    item.resourceUrl.includes('/operations/') &&
    call?.clientContext?.startsWith('oncall:')
  ) {
    const userId = call.clientContext.slice('oncall:'.length);
    const r = call.resultInfo;
    bot.note({
      type: 'onCallAnswer',
      userId,
      outcome: call.status === 'Completed' ? 'joined' : `failed ${r?.code}/${r?.subcode}`,
    });
  }
});
