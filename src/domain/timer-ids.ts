/**
 * Durable timer ids. Each is derived from the one thing the timer acts on (a leg, a participant, an operation), so
 * a later decision can name a timer to cancel it without asking the store which timers exist.
 */
export const TimerId = {
  /** `call.keepAliveExpired`: the leg ends when its bot stops sending keepAlive. */
  keepAlive: (legId: string): string => `keepalive-${legId}`,
  /** `call.established`: a group call or meeting leg becomes established. */
  established: (legId: string): string => `established-${legId}`,
  /** `call.answerWindow`: an incoming call the bot never answered ends. */
  answerWindow: (legId: string): string => `answer-window-${legId}`,
  /** `call.transferAnswer`: the transfer target of the leg answers. */
  transfer: (legId: string): string => `transfer-${legId}`,
  /** `call.redirectAnswer`: the ring of an incoming leg's redirect targets ends. */
  redirect: (legId: string): string => `redirect-${legId}`,
  /** `call.targetAnswer`: the other party of an outgoing peer-to-peer call answers. */
  targetAnswer: (participantId: string): string => `target-${participantId}`,
  /** `invitee.answer`: an invitee (or a group call's first target) answers. */
  inviteeAnswer: (participantId: string): string => `invitee-${participantId}`,
  /** `media.complete`: a media operation's time on the clock is up. */
  media: (operationId: string): string => `media-${operationId}`,
  /**
   * `person.action`: a person's later action; `key` is its index among the person's world-file actions, or a fresh
   * id for one the control API scheduled.
   */
  laterAction: (participantId: string, key: number | string): string => `person-${participantId}-${key}`,
} as const;
