/**
 * What one Graph action is, as one registry entry (issue 14): where it is bound, the versions that have it, its
 * body schema (the body's TypeScript type is derived from that schema, src/http/from-schema.ts), the service
 * method it runs, its success answer, and what the README's supported-surface table says of it. Routes, the 501
 * answers, the auth and isolation matrices and the README table are all generated from these entries
 * (src/api/actions/registry.ts).
 */
import type { Principal } from '../../domain/permissions.js';
import type { ApiVersion, Operation } from '../../domain/types.js';
import type { CallingService } from '../../service/calling-service.js';
import type { Result } from '../../service/leg-commands.js';
import type { FromSchema } from '../../http/from-schema.js';
import { bodyValidator } from '../../http/validate.js';

/** What an action is bound to: a call, a call's participants collection, or one participant. */
export type ActionBinding = 'call' | 'participants' | 'participant';

/** The path under `…/calls/{id}` an action of each binding is posted to, before the action's name. */
export const BINDING_PATH: Record<ActionBinding, string> = {
  call: '/calls/{id}/',
  participants: '/calls/{id}/participants/',
  participant: '/calls/{id}/participants/{id}/',
};

/** What the request names: the caller, the call, the participant (participant actions), the version and host. */
export interface ActionCall {
  service: CallingService;
  principal: Principal;
  callId: string;
  version: ApiVersion;
  /** `https://host:port` as the request reached us (recordings are fetched there). */
  baseUrl: string;
}

export type ParticipantCall = ActionCall & { participantId: string };

type CallOf<B extends ActionBinding> = B extends 'participant' ? ParticipantCall : ActionCall;

/** `operation`: the action creates an operation, answered as the body with a Location to it; `empty`: no body. */
export type ActionAnswer = 'operation' | 'empty';

type Outcome<A extends ActionAnswer> = A extends 'operation' ? Operation : null;

/** The README's words for an action: the columns of its row in the supported-surface table. */
export interface ActionDoc {
  /** After the path: what the action accepts, in brief (e.g. `(≤ 20 mediaPrompts)`). */
  accepts?: string;
  /** The Status column after the code (e.g. `+ Running playPromptOperation`). */
  answer?: string;
  /** What the bot's callbackUri receives afterwards. */
  notifications: string;
  /** What Graph does that Switchboard does not (yet). */
  notYet?: string;
}

interface Common<B extends ActionBinding> {
  /** Graph's name, as its metadata spells it (`keepAlive`); matched in any case, with or without `microsoft.graph.`. */
  name: string;
  on: B;
  /** The versions whose metadata has the action; on another version the segment is unknown (400, as Graph). */
  versions: readonly ApiVersion[];
  doc: ActionDoc;
}

interface ServedSpec<B extends ActionBinding, S, A extends ActionAnswer> extends Common<B> {
  /** The body's JSON Schema (shape and types only; rules live in the domain), or null for an action that reads none. */
  body: S;
  /** Graph accepts the action with no body at all (e.g. `{}` or nothing for `mute`). */
  optionalBody?: boolean;
  status: 200 | 202;
  answers: A;
  /** Runs the action: one service method, which loads state and calls the action's decider. */
  serve(call: CallOf<B>, body: S extends null ? Record<string, never> : FromSchema<S>): Promise<Result<Outcome<A>>>;
}

/** One registry entry with its types erased, so entries of every binding and body fit one list. */
export interface GraphAction {
  readonly name: string;
  readonly on: ActionBinding;
  readonly versions: readonly ApiVersion[];
  readonly doc: ActionDoc;
  /** null: Graph has the action and Switchboard does not serve it yet (501). */
  readonly served: {
    readonly status: 200 | 202;
    readonly answers: ActionAnswer;
    readonly bodySchema: object | null;
    /** Validates the raw body against the schema (400 naming the property), then runs the action. */
    run(call: ActionCall & { participantId?: string }, rawBody: unknown): Promise<Result<Operation | null>>;
  } | null;
}

/** A served action. The body handed to `serve` is typed from `body`, the schema that validated it. */
export function action<B extends ActionBinding, const S extends object | null, A extends ActionAnswer>(
  spec: ServedSpec<B, S, A>,
): GraphAction {
  type Body = Parameters<typeof spec.serve>[1];
  const parse =
    spec.body === null
      ? (): Body => ({}) as Body
      : bodyValidator<Body>(spec.body, { optionalBody: spec.optionalBody ?? false });
  return {
    name: spec.name,
    on: spec.on,
    versions: spec.versions,
    doc: spec.doc,
    served: {
      status: spec.status,
      answers: spec.answers,
      bodySchema: spec.body,
      run: (call, rawBody) => spec.serve(callOf(spec.on, call), parse(rawBody)),
    },
  };
}

/** The call as the action's binding sees it: a participant action always has its participant's id. */
function callOf<B extends ActionBinding>(on: B, call: ActionCall & { participantId?: string }): CallOf<B> {
  if (on === 'participant' && call.participantId === undefined)
    throw new Error('a participant action was routed without a participant id');
  return call as CallOf<B>;
}

/** An action Graph has that Switchboard does not serve yet: its path answers 501 NotImplemented, never a fake success. */
export function notYet<B extends ActionBinding>(spec: Common<B>): GraphAction {
  return { name: spec.name, on: spec.on, versions: spec.versions, doc: spec.doc, served: null };
}

export const BOTH: readonly ApiVersion[] = ['v1.0', 'beta'];
export const BETA: readonly ApiVersion[] = ['beta'];
