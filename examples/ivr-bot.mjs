/**
 * Example bot: a tiny IVR. It answers every incoming call, subscribes to the caller's key presses
 * (subscribeToTone) and plays a menu (playPrompt). Pressing 1 plays the "sales" prompt, 2 the "support" prompt,
 * 0 ends the call (the bot hangs up); any other key plays the menu again.
 *
 *   NODE_EXTRA_CA_CERTS=.switchboard/tls/ca.pem node examples/ivr-bot.mjs
 */
import { callIdOf, isCallUpdate, serviceHostedMedia, startBot } from './bot-kit.mjs';

const PROMPTS = {
  menu: 'https://ivr.example/menu.wav',
  tone1: 'https://ivr.example/sales.wav',
  tone2: 'https://ivr.example/support.wav',
};
const answered = new Set();

async function play(bot, callId, name) {
  const op = await bot.graph.api(`/communications/calls/${callId}/playPrompt`).post({
    clientContext: `prompt:${name}`,
    prompts: [
      {
        '@odata.type': '#microsoft.graph.mediaPrompt',
        mediaInfo: {
          '@odata.type': '#microsoft.graph.mediaInfo',
          uri: PROMPTS[name] ?? PROMPTS.menu,
          resourceId: name,
        },
      },
    ],
  });
  bot.note({ type: 'playing', callId, prompt: name, operationId: op.id });
}

await startBot('ivr-bot', async (item, bot) => {
  const callId = callIdOf(item);
  const call = item.resourceData;
  if (item.changeType === 'created' && call?.state === 'incoming') {
    await bot.graph
      .api(`/communications/calls/${callId}/answer`)
      .post({ callbackUri: bot.callbackUrl, acceptedModalities: ['audio'], mediaConfig: serviceHostedMedia });
    bot.note({ type: 'answered', callId });
    return;
  }
  if (!isCallUpdate(item) || item.changeType !== 'updated') {
    if (
      item.changeType === 'deleted' &&
      item.resourceUrl.includes('/operations/') &&
      call?.clientContext?.startsWith('prompt:')
    ) {
      bot.note({
        type: 'prompt',
        prompt: call.clientContext.slice('prompt:'.length),
        status: call.status,
        completionReason: call.completionReason ?? null,
      });
    }
    return;
  }
  if (call?.state === 'established' && !answered.has(callId) && !call.toneInfo) {
    answered.add(callId);
    await bot.graph.api(`/communications/calls/${callId}/subscribeToTone`).post({ clientContext: 'tones' });
    await play(bot, callId, 'menu');
    return;
  }
  const tone = call?.toneInfo?.tone;
  if (!tone) return;
  bot.note({ type: 'pressed', callId, tone });
  if (tone === 'tone0') {
    await bot.graph.api(`/communications/calls/${callId}`).delete();
    bot.note({ type: 'hungUp', callId });
    return;
  }
  await play(bot, callId, tone in PROMPTS ? tone : 'menu');
});
