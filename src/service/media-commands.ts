/** The media and in-call actions (src/domain/tones.ts, prompts.ts, in-call.ts, hold-music.ts) as service commands. */
import type { DomainContext } from '../domain/clock.js';
import { decideHoldMusic, type StartHoldMusicCommand } from '../domain/hold-music.js';
import {
  decideChangeScreenSharingRole,
  decideUpdateRecordingStatus,
  type UpdateRecordingStatusCommand,
} from '../domain/in-call.js';
import { legMedia, type ClientContextCommand } from '../domain/media-operations.js';
import { decideMediaTimer } from '../domain/media-timer.js';
import type { Principal } from '../domain/permissions.js';
import {
  decideCancelMediaProcessing,
  decidePlayPrompt,
  decideRecordResponse,
  type PlayPromptCommand,
  type PromptDuration,
  type RecordResponseCommand,
} from '../domain/prompts.js';
import { isRejection } from '../domain/rejections.js';
import {
  decidePressTones,
  decideSendDtmfTones,
  decideSubscribeToTone,
  type PressedTones,
  type SendDtmfTonesCommand,
} from '../domain/tones.js';
import {
  emptyEffects,
  type CallLeg,
  type Effects,
  type Operation,
  type ScreenSharingRole,
  type TimerPayloads,
} from '../domain/types.js';
import type { Tx } from '../store/store.js';
import { callNotFound } from '../domain/call-access.js';
import { LegCommands, noValue, withOperation, type Result } from './leg-commands.js';

/** How long a prompt plays when nothing says otherwise. */
export const DEFAULT_PROMPT_MS = 3000;

export abstract class MediaCommands extends LegCommands {
  subscribeToTone(principal: Principal, callId: string, cmd: ClientContextCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decideSubscribeToTone(principal, view, cmd, ctx)),
    );
  }

  sendDtmfTones(principal: Principal, callId: string, cmd: SendDtmfTonesCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) => withOperation(decideSendDtmfTones(principal, view, cmd, ctx)));
  }

  /**
   * The person in call `callId` presses keys (`["1","#"]` or Graph tone names): the bot gets `toneInfo` if it
   * subscribed, and a stop tone ends a running recordResponse. For the control API and scripted behaviours.
   */
  pressTones(callId: string, tones: string[]): Promise<Result<PressedTones>> {
    return this.run(
      async (tx, ctx) => {
        const leg = await tx.getLeg(callId.toLowerCase());
        if (!leg) return callNotFound(callId);
        const [head, ...waiting] = await this.queuedOperations(tx, leg);
        const r = decidePressTones(await this.legView(tx, leg), { tones }, { head: head ?? null, waiting }, ctx);
        return isRejection(r) ? r : { effects: r.effects, value: r.pressed };
      },
      'normal',
      { kind: 'control', what: 'pressTones', detail: { tones } },
    );
  }

  playPrompt(principal: Principal, callId: string, cmd: PlayPromptCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decidePlayPrompt(principal, view, cmd, this.promptDuration, ctx)),
    );
  }

  /** `recordingBaseUrl`: the origin the request came in on; the recording is served there. */
  recordResponse(
    principal: Principal,
    callId: string,
    cmd: RecordResponseCommand,
    recordingBaseUrl: string,
  ): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decideRecordResponse(principal, view, cmd, this.promptDuration, recordingBaseUrl, ctx)),
    );
  }

  cancelMediaProcessing(principal: Principal, callId: string, cmd: ClientContextCommand): Promise<Result<Operation>> {
    return this.run(async (tx, ctx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      const queued = await this.queuedOperations(tx, leg);
      return withOperation(decideCancelMediaProcessing(principal, await this.legView(tx, leg), cmd, queued, ctx));
    });
  }

  updateRecordingStatus(
    principal: Principal,
    callId: string,
    cmd: UpdateRecordingStatusCommand,
  ): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decideUpdateRecordingStatus(principal, view, cmd, ctx)),
    );
  }

  changeScreenSharingRole(
    principal: Principal,
    callId: string,
    cmd: { role: ScreenSharingRole },
  ): Promise<Result<null>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      noValue(decideChangeScreenSharingRole(principal, view, cmd, ctx)),
    );
  }

  holdMusic(
    principal: Principal,
    callId: string,
    participantId: string,
    start: boolean,
    cmd: StartHoldMusicCommand,
  ): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decideHoldMusic(principal, view, participantId, start, cmd, ctx)),
    );
  }

  /** A finished recording, if `token` is its recordingAccessToken (no leg needed: recordings outlive the call). */
  async recording(operationId: string, token: string): Promise<Operation | null> {
    return this.deps.store.transact(async (tx) => {
      const op = await tx.getOperation(operationId.toLowerCase());
      const expected = op?.type === 'recordOperation' ? op.media?.recordingAccessToken : null;
      return expected && token === expected ? op! : null;
    });
  }

  private get promptDuration(): PromptDuration {
    if (this.deps.promptDuration) return this.deps.promptDuration;
    const times = this.deps.directory.world.prompts;
    return (uri) => times?.durations[uri] ?? times?.defaultMs ?? DEFAULT_PROMPT_MS;
  }

  /** The leg's queued prompts and recordings, head first. */
  protected async queuedOperations(tx: Tx, leg: CallLeg): Promise<Operation[]> {
    const ops: Operation[] = [];
    for (const id of legMedia(leg).queue) {
      const op = await tx.getOperation(id);
      if (op) ops.push(op);
    }
    return ops;
  }

  /** Timer `media.complete`: a prompt, recording, DTMF or hold-music operation has had its time. */
  protected async mediaTimerFired(
    tx: Tx,
    payload: TimerPayloads['media.complete'],
    ctx: DomainContext,
  ): Promise<Effects> {
    const leg = await tx.getLeg(payload.callId);
    const op = await tx.getOperation(payload.operationId);
    if (!leg || !op) return emptyEffects();
    const waiting = (await this.queuedOperations(tx, leg)).filter((o) => o.id !== op.id);
    return decideMediaTimer(await this.legView(tx, leg), op, waiting, ctx);
  }
}
