/**
 * What a softphone tab shows (`GET /_switchboard/people/{id}/phone`, and each `phone` event of its stream): the
 * person, whether a tab holds them, what rings them now, and the calls they are in with what the bot plays or
 * records there. Read side only: it loads the store and decides nothing.
 */
import { identityKey } from '../domain/identity.js';
import { legMedia } from '../domain/media-operations.js';
import type { CallLeg, Operation, Participant } from '../domain/types.js';
import { ringsOf, type PendingRing } from '../service/softphone-rings.js';
import type { Store, Tx } from '../store/store.js';
import type { Directory } from './directory.js';
import { isPhoneNumber, personKeyOf } from './softphone-leases.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export interface SoftphonePerson {
  /** The user id or phone number, as the world spells it. */
  id: string;
  key: string;
  kind: 'user' | 'phone';
  displayName: string | null;
  tenantId: string | null;
}

/** The person a reference names: a user of the world, or any E.164 number; undefined for anyone else. */
export function softphonePerson(directory: Directory, ref: string): SoftphonePerson | undefined {
  const user = directory.user(ref);
  if (user)
    return {
      id: user.user.id,
      key: personKeyOf(user.user.id),
      kind: 'user',
      displayName: user.user.displayName,
      tenantId: user.tenant.id,
    };
  if (!isPhoneNumber(ref)) return undefined;
  const tenant = directory.world.tenants.find((t) => t.phones.some((p) => p.number === ref));
  return { id: ref, key: personKeyOf(ref), kind: 'phone', displayName: null, tenantId: tenant?.id ?? null };
}

/** The bot an app id names, for a person's screen. */
function botOf(directory: Directory, appId: string): { appId: string; displayName: string } {
  return { appId, displayName: directory.app(appId)?.app.displayName ?? appId };
}

function ringView(
  directory: Directory,
  r: PendingRing,
  kindOf: (leg: CallLeg | undefined) => string | null,
): Record<string, unknown> {
  const WHAT = {
    'call.transferAnswer': 'transfer',
    'call.redirectAnswer': 'redirect',
    'call.targetAnswer': 'call',
    'invitee.answer': 'invite',
  } as const;
  const what = WHAT[r.timer.kind];
  return {
    ringId: r.timer.id,
    what,
    callId: r.leg?.id ?? r.timer.payload.callId,
    conversationKind: kindOf(r.leg),
    from: r.leg ? botOf(directory, r.leg.appId) : null,
    participantId: r.participant?.id ?? null,
    // When the ring ends by itself (the configured outcome, or no answer for a softphone's person).
    untilDateTime: iso(r.timer.dueAt),
  };
}

/** A prompt or recording of the bot, as the person hears it (a recording also listens to them). */
function mediaView(op: Operation, head: boolean): Record<string, unknown> {
  const m = op.media;
  const startedAt = head ? (m?.startedAt ?? null) : null;
  return {
    operationId: op.id,
    callId: op.callId,
    type: op.type === 'recordOperation' ? 'recordResponse' : 'playPrompt',
    status: op.status,
    playing: startedAt !== null,
    promptUris: m?.promptUris ?? [],
    promptMs: op.type === 'recordOperation' ? (m?.promptMs ?? 0) : (m?.durationMs ?? 0),
    durationMs: m?.durationMs ?? 0,
    startedDateTime: startedAt === null ? null : iso(startedAt),
    stopTones: m?.stopTones ?? [],
  };
}

async function callView(
  tx: Tx,
  directory: Directory,
  person: Participant,
  legs: CallLeg[],
  kind: string | null,
): Promise<Record<string, unknown>> {
  const live = legs.filter((l) => l.state !== 'terminated' && l.state !== 'terminating');
  const media: Record<string, unknown>[] = [];
  const ended: Record<string, unknown>[] = [];
  for (const leg of live) {
    const queue = legMedia(leg).queue;
    const ops = (await tx.operationsOfCall(leg.id)).filter(
      (op) => op.type === 'playPromptOperation' || op.type === 'recordOperation',
    );
    for (const op of ops) {
      const at = queue.indexOf(op.id);
      if (op.status === 'Running' && at >= 0) media.push(mediaView(op, at === 0));
    }
    // How the last few ended, as the bot was told (completed, stopped by a tone, cancelled).
    for (const op of ops.filter((o) => o.status !== 'Running').slice(-3)) {
      ended.push({
        ...mediaView(op, false),
        resultInfo: op.resultInfo,
        completionReason: op.media?.completionReason ?? null,
        endedDateTime: iso(op.updatedAt),
      });
    }
  }
  return {
    // The control API's person actions take any live bot leg of the conversation: the first one.
    callId: live[0]?.id ?? null,
    conversationId: person.conversationId,
    conversationKind: kind,
    participantId: person.id,
    state: live[0]?.state ?? 'terminated',
    bots: live.map((l) => ({ callId: l.id, state: l.state, ...botOf(directory, l.appId) })),
    muted: person.isMuted,
    onHold: kind === 'peerToPeer' ? live.some((l) => l.state === 'hold') : (person.onHold ?? false),
    toneSubscribed: live.some((l) => legMedia(l).toneSubscribed),
    media,
    ended,
  };
}

/** The softphone's whole screen for `person` at `now` (world clock), `held` telling whether a tab holds them. */
export async function softphoneState(
  store: Store,
  directory: Directory,
  person: SoftphonePerson,
  held: boolean,
  now: number,
): Promise<Record<string, unknown>> {
  return store.transact(async (tx) => {
    const legs = await tx.listLegs();
    const byConversation = new Map<string, CallLeg[]>();
    for (const leg of legs)
      byConversation.set(leg.conversationId, [...(byConversation.get(leg.conversationId) ?? []), leg]);
    const kinds = new Map<string, string | null>();
    const kindOf = async (conversationId: string): Promise<string | null> => {
      if (!kinds.has(conversationId))
        kinds.set(conversationId, (await tx.getConversation(conversationId))?.kind ?? null);
      return kinds.get(conversationId) ?? null;
    };
    const rings = await ringsOf(tx, person.key, legs);
    for (const r of rings) if (r.leg) await kindOf(r.leg.conversationId);
    const calls: Record<string, unknown>[] = [];
    for (const [conversationId, its] of byConversation) {
      for (const p of await tx.participantsWithIdentityKeys(conversationId, [person.key])) {
        if (p.status !== 'joined' || p.callLegId !== null || identityKey(p.identity) !== person.key) continue;
        calls.push(await callView(tx, directory, p, its, await kindOf(conversationId)));
      }
    }
    // The bots this person can call ("Call the bot"): the apps of their tenant, or of every tenant for a stray number.
    const apps = directory.world.tenants
      .filter((t) => person.tenantId === null || t.id === person.tenantId)
      .flatMap((t) =>
        t.apps.map((a) => ({ appId: a.id, displayName: a.displayName, tenantId: t.id, callbackUri: a.callbackUri })),
      );
    return {
      person,
      held,
      apps,
      now: iso(now),
      rings: rings.map((r) => ringView(directory, r, (leg) => (leg ? (kinds.get(leg.conversationId) ?? null) : null))),
      calls,
    };
  });
}
