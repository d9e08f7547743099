/** subscribeToTone, sendDtmfTones and the control route for key presses, refused: envelope, property named, nothing changed. */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startConformance, USERS, type Conformance } from '../fixture.js';
import { callPath, expectGraphError, expectRefused, expectUnchanged, quietSnapshot, sendPlain } from './helpers.js';

describe('DTMF errors', () => {
  let c: Conformance;
  let p2p: string;
  let ringing: string;
  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true });
    p2p = await c.incomingCall(USERS.alex);
    await c.answer(p2p);
    ringing = await c.incomingCall(USERS.megan);
  });
  afterAll(async () => {
    await c.close();
  });

  it.each([
    ['no tones', {}, 'tones'],
    ['an empty tones list', { tones: [] }, 'tones'],
    ['a key instead of a Graph tone name', { tones: ['1'] }, 'tones[0]'],
    ['a delay that is not an integer', { tones: ['tone1'], delayBetweenTonesMs: 'slow' }, 'delayBetweenTonesMs'],
    ['a negative delay', { tones: ['tone1'], delayBetweenTonesMs: -5 }, 'delayBetweenTonesMs'],
    ['a clientContext over 256 characters', { tones: ['tone1'], clientContext: 'x'.repeat(257) }, 'clientContext'],
  ])('sendDtmfTones with %s → 400 naming it', async (_label, body, target) => {
    await expectRefused(
      c,
      p2p,
      { path: `${callPath(p2p)}/sendDtmfTones`, body },
      { status: 400, code: 'BadRequest', target },
    );
  });

  it('subscribeToTone with a clientContext over 256 characters → 400; on a ringing call → 409', async () => {
    await expectRefused(
      c,
      p2p,
      { path: `${callPath(p2p)}/subscribeToTone`, body: { clientContext: 'x'.repeat(257) } },
      { status: 400, code: 'BadRequest', target: 'clientContext' },
    );
    await expectRefused(
      c,
      ringing,
      { path: `${callPath(ringing)}/subscribeToTone`, body: {} },
      { status: 409, code: 'Conflict' },
    );
  });

  it('subscribeToTone on a call of app-hosted media → 409 naming mediaConfig', async () => {
    const appHosted = await c.incomingCall(USERS.heidi);
    await c.raw('POST', `${callPath(appHosted)}/answer`, {
      callbackUri: c.bot.url,
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.appHostedMediaConfig', blob: '<media config>' },
    });
    await c.advance(c.server.sb.directory.world.establishMs);
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${appHosted}` && n.item.resourceData?.state === 'established',
    );
    await expectRefused(
      c,
      appHosted,
      { path: `${callPath(appHosted)}/subscribeToTone`, body: {} },
      { status: 409, code: 'Conflict', target: null, message: /mediaConfig/ },
    );
  });

  const pressUrl = (callId: string): string => `${c.server.httpUrl}/_switchboard/calls/${callId}/tones`;
  const press = (callId: string, body: unknown) =>
    sendPlain(pressUrl(callId), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it.each([
    ['no tones', {}, 'tones'],
    ['tones that is not a list', { tones: '12' }, 'tones'],
    ['an empty list', { tones: [] }, 'tones'],
    ['an unknown key', { tones: ['1', 'x'] }, 'tones[1]'],
    ['a key that is not a string', { tones: [1] }, 'tones[0]'],
    ['two keys in one string', { tones: ['12'] }, 'tones[0]'],
  ])('pressing keys with %s → 400 naming it, nothing notified', async (_label, body, target) => {
    const before = await quietSnapshot(c, p2p);
    expectGraphError(await press(p2p, body), { status: 400, code: 'BadRequest', target });
    await expectUnchanged(c, p2p, before);
  });

  it('pressing keys in a call still ringing → 409; in no call → 404 8522', async () => {
    const before = await quietSnapshot(c, ringing);
    expectGraphError(await press(ringing, { tones: ['1'] }), { status: 409, code: 'Conflict' });
    await expectUnchanged(c, ringing, before);
    expectGraphError(await press('0b0e0000-0000-4000-8000-000000000000', { tones: ['1'] }), {
      status: 404,
      code: '8522',
      target: null,
    });
  });
});
