/** What a simulated person can do once connected to a bot (the rules: person-actions.ts). A leaf module: timers name it. */
export const PERSON_ACTIONS = ['hangUp', 'leave', 'mute', 'unmute', 'hold', 'resume', 'pressTones'] as const;
export type PersonActionName = (typeof PERSON_ACTIONS)[number];

export const isPersonActionName = (v: unknown): v is PersonActionName => PERSON_ACTIONS.some((x) => x === v);
