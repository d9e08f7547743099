/**
 * Commands on a call's whole roster (src/domain/mute.ts decideMuteAll, src/domain/lobby.ts decideAdmitAllFromLobby,
 * src/domain/gallery.ts decideAddLargeGalleryView) and on the audio routes between its participants
 * (src/domain/audio-routing.ts).
 */
import {
  decideCreateAudioRoutingGroup,
  decideDeleteAudioRoutingGroup,
  decideUpdateAudioRoutingGroup,
  readAudioRoutingGroups,
  type AudioRoutingGroupInput,
} from '../domain/audio-routing.js';
import { decideAddLargeGalleryView } from '../domain/gallery.js';
import type { ClientContextCommand } from '../domain/media-operations.js';
import { isRejection } from '../domain/rejections.js';
import { decideAdmitAllFromLobby, type LobbyCommand } from '../domain/lobby.js';
import { decideMuteAll, type MuteAllCommand } from '../domain/mute.js';
import type { Principal } from '../domain/permissions.js';
import type { AudioRoutingGroup, Operation } from '../domain/types.js';
import { noValue, withOperation, type Result } from './leg-commands.js';
import { MediaCommands } from './media-commands.js';

export abstract class RosterCommands extends MediaCommands {
  /** participant: muteAll (beta). */
  muteAll(principal: Principal, callId: string, cmd: MuteAllCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) => withOperation(decideMuteAll(principal, view, cmd, ctx)));
  }

  /** call: addLargeGalleryView: the view joins on the clock (timer `media.complete`). */
  addLargeGalleryView(principal: Principal, callId: string, cmd: ClientContextCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decideAddLargeGalleryView(principal, view, cmd, ctx)),
    );
  }

  /** participant: admitAllFromLobby (beta). */
  admitAllFromLobby(principal: Principal, callId: string, cmd: LobbyCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decideAdmitAllFromLobby(principal, view, cmd, ctx)),
    );
  }

  createAudioRoutingGroup(
    principal: Principal,
    callId: string,
    cmd: AudioRoutingGroupInput,
  ): Promise<Result<AudioRoutingGroup>> {
    return this.onLeg(principal, callId, (view, ctx) => decideCreateAudioRoutingGroup(principal, view, cmd, ctx));
  }

  updateAudioRoutingGroup(
    principal: Principal,
    callId: string,
    groupId: string,
    cmd: AudioRoutingGroupInput,
  ): Promise<Result<AudioRoutingGroup>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      decideUpdateAudioRoutingGroup(principal, view, groupId, cmd, ctx),
    );
  }

  deleteAudioRoutingGroup(principal: Principal, callId: string, groupId: string): Promise<Result<null>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      noValue(decideDeleteAudioRoutingGroup(principal, view, groupId, ctx)),
    );
  }

  /** The call's groups (groupId null) or the one named; reads only. */
  audioRoutingGroups(
    principal: Principal,
    callId: string,
    groupId: string | null,
  ): Promise<Result<AudioRoutingGroup[]>> {
    return this.deps.store.transact(async (tx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      return readAudioRoutingGroups(principal, await this.legView(tx, leg), groupId);
    });
  }
}
