/** call: addLargeGalleryView (src/domain/gallery.ts): Running at once; on its timer, Completed and the view joins. */
import { describe, expect, it } from 'vitest';
import { decideAddLargeGalleryView, LARGE_GALLERY_JOIN_MS } from '../../src/domain/gallery.js';
import { decideMediaTimer } from '../../src/domain/media-timer.js';
import { isRejection } from '../../src/domain/rejections.js';
import { emptyEffects } from '../../src/domain/types.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import { conversation, ctx, expectRejection, leg, NOW, only, principal, view } from './fixtures.js';

const all = principal(ALL_CALLING_ROLES);

describe('addLargeGalleryView', () => {
  it('answers a Running operation with a timer; nothing joins yet', () => {
    const r = decideAddLargeGalleryView(all, view(conversation(), [leg()]), { clientContext: 'g' }, ctx());
    if (isRejection(r)) throw new Error(r.message);
    expect(r.operation).toMatchObject({ type: 'addLargeGalleryViewOperation', status: 'Running', clientContext: 'g' });
    expect(r.effects.timers).toEqual([
      expect.objectContaining({ kind: 'media.complete', dueAt: NOW + LARGE_GALLERY_JOIN_MS }),
    ]);
    expect(r.effects.participants).toEqual([]);
    expect(r.effects.notifications).toEqual([]);
  });

  it('on its timer: Completed (`deleted`) and the view joins the roster as a LargeGallery-V2 application', () => {
    const v = view(conversation(), [leg()]);
    const r = decideAddLargeGalleryView(all, v, {}, ctx());
    if (isRejection(r)) throw new Error(r.message);
    const e = decideMediaTimer(v, r.operation, [], ctx());
    expect(e.operations).toEqual([expect.objectContaining({ id: r.operation.id, status: 'Completed' })]);
    expect(e.participants).toEqual([
      expect.objectContaining({
        status: 'joined',
        kind: 'application',
        largeGalleryViewOf: r.operation.id,
        identity: { application: expect.objectContaining({ ApplicationType: 'LargeGallery-V2' }) },
      }),
    ]);
    expect(e.notifications.map((n) => only(n).changeType)).toEqual(['deleted', 'updated']);
    // A call that ended meanwhile: nothing joins.
    const ended = emptyEffects();
    expect(decideMediaTimer(view(conversation(), [leg({ state: 'terminated' })]), r.operation, [], ctx())).toEqual(
      ended,
    );
  });

  it('needs a group call or meeting, an established call, a join or group-call role', () => {
    expectRejection(
      decideAddLargeGalleryView(all, view(conversation({ kind: 'peerToPeer' }), [leg()]), {}, ctx()),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideAddLargeGalleryView(all, view(conversation(), [leg({ state: 'establishing' })]), {}, ctx()),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideAddLargeGalleryView(principal(['Calls.Initiate.All']), view(conversation(), [leg()]), {}, ctx()),
      'MissingRole',
      null,
    );
  });
});
