import { describe, expect, it } from 'vitest';
import type { OutboundNotification } from '../../src/domain/types.js';
import { batchByCall } from '../../src/notify/batch.js';

const note = (callId: string, item: string, callbackUri = 'https://bot/cb'): OutboundNotification => ({
  callId,
  tenantId: 't',
  appId: 'a',
  callbackUri,
  body: { '@odata.type': '#microsoft.graph.commsNotifications', value: [{ item }] },
});

describe('batchByCall', () => {
  it("merges one command's notifications per call into one envelope, keeping their order", () => {
    const out = batchByCall([note('c1', 'op deleted'), note('c2', 'roster'), note('c1', 'roster'), note('c2', 'call')]);
    expect(out.map((n) => [n.callId, (n.body.value as { item: string }[]).map((v) => v.item)])).toEqual([
      ['c1', ['op deleted', 'roster']],
      ['c2', ['roster', 'call']],
    ]);
    expect(out[0]!.body['@odata.type']).toBe('#microsoft.graph.commsNotifications');
  });

  it('keeps different callbacks of one call apart and does not touch its input', () => {
    const input = [note('c1', 'x', 'https://a/cb'), note('c1', 'y', 'https://b/cb')];
    expect(batchByCall(input)).toHaveLength(2);
    const single = [note('c1', 'x'), note('c1', 'y')];
    batchByCall(single);
    expect(single[0]!.body.value).toEqual([{ item: 'x' }]);
  });
});
