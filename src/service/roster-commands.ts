/** Actions on a call's whole roster (src/domain/mute.ts decideMuteAll, src/domain/lobby.ts decideAdmitAllFromLobby). */
import { decideAdmitAllFromLobby, type LobbyCommand } from '../domain/lobby.js';
import { decideMuteAll, type MuteAllCommand } from '../domain/mute.js';
import type { Principal } from '../domain/permissions.js';
import type { Operation } from '../domain/types.js';
import { withOperation, type Result } from './leg-commands.js';
import { MediaCommands } from './media-commands.js';

export abstract class RosterCommands extends MediaCommands {
  /** participant: muteAll (beta). */
  muteAll(principal: Principal, callId: string, cmd: MuteAllCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) => withOperation(decideMuteAll(principal, view, cmd, ctx)));
  }

  /** participant: admitAllFromLobby (beta). */
  admitAllFromLobby(principal: Principal, callId: string, cmd: LobbyCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) => withOperation(decideAdmitAllFromLobby(principal, view, cmd, ctx)));
  }
}
