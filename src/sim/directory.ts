/**
 * The simulated directory ("world"): tenants, their bot apps and resource accounts, users, phone numbers and
 * meetings. Loaded once at start from the built-in default or `--world <file.json>`; read-only at run time.
 * Shape (extend, never rename):
 * {"tenants":[{"id","displayName","apps":[{"id","displayName","secret","roles","callbackUri","instances":[…]}],
 *   "users":[{"id","displayName","answer":{"action","afterMs"}}],"phones":[{"number","answer"}],"meetings":[…]}]}
 */
import { readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { Fault } from '../domain/faults.js';
import { isRecord, primaryIdentity } from '../domain/identity.js';
import { FaultsError, parseFaults } from './faults.js';
import { isProblem, parseLaterAction, type LaterAction, type Problem } from '../domain/person-actions.js';
import { isLobbyBypassScope, LOBBY_BYPASS_SCOPES, type IdentitySet, type LobbyBypassScope } from '../domain/types.js';
import { isPersonAnswer, PERSON_ANSWERS, type PersonAnswer, type WorldView } from '../domain/world.js';
import { SoftphoneLeases } from './softphone-leases.js';

export type AnswerAction = PersonAnswer;

export interface AnswerBehaviour {
  action: AnswerAction;
  /** How long the person's device rings before the action happens (noAnswer: how long until it gives up). */
  afterMs: number;
}

export interface ApplicationInstance {
  id: string;
  displayName: string;
  /** E.164; a bot needs an instance with a number to invite phones. */
  phoneNumber: string | null;
}

export interface App {
  id: string;
  displayName: string;
  secret: string;
  roles: string[];
  /** The app's registered calling webhook: where incoming calls are notified. */
  callbackUri: string | null;
  instances: ApplicationInstance[];
  /** false: the bot has no calling registration (Teams channel with calling off); calls are refused with 7503. */
  callingRegistered?: boolean;
}

export interface User {
  id: string;
  displayName: string;
  answer: AnswerBehaviour;
  /** What the person does once connected to a bot, each `afterMs` after connecting (durable timers). */
  then?: LaterAction[];
}

export interface Phone {
  number: string;
  answer: AnswerBehaviour;
  then?: LaterAction[];
}

export interface Meeting {
  id: string;
  threadId: string;
  joinMeetingId: string;
  organizerId: string;
  createdByAppId: string | null;
  /** Joining by joinMeetingId must give this passcode, when set. */
  passcode: string | null;
  /** Who skips the lobby (Graph lobbyBypassSettings.scope); absent: everyone. */
  lobbyBypassScope: LobbyBypassScope | null;
  isDialInBypassEnabled: boolean;
}

export interface Tenant {
  id: string;
  displayName: string;
  apps: App[];
  /**
   * Multi-tenant apps registered in another tenant that this tenant's admin consented to (in Entra ID, a service
   * principal of the app here). Such an app gets tokens from this tenant's token endpoint and acts in this tenant with
   * them, e.g. joins its meetings: a calling bot joining another organization's meeting gets its token from the
   * meeting's tenant (the Graph calling SDK asks for the token in the tenant a request names). Absent: none.
   */
  consentedApps?: string[];
  users: User[];
  phones: Phone[];
  meetings: Meeting[];
  /** How numbers not listed in `phones` answer. */
  defaultPhoneAnswer: AnswerBehaviour;
}

export interface World {
  tenants: Tenant[];
  /** How long an outgoing call or a meeting join takes from establishing to established. */
  establishMs: number;
  /** Spec 9.10: a failed delivery to the bot's callback ends its still-establishing outgoing call (500/3002). Default true. */
  endCallOnCallbackFailure?: boolean;
  /** How long playPrompt prompts play: per media uri, else `defaultMs` (built-in default 3000). */
  prompts?: PromptTimes;
  /** Injected real-world failures (spec 9.3, 9.7); replaceable at run time through PUT /_switchboard/faults. */
  faults?: Fault[];
}

export interface PromptTimes {
  defaultMs: number;
  durations: Record<string, number>;
}

function parsePromptTimes(v: unknown): PromptTimes | undefined {
  if (v === undefined) return undefined;
  const o = asRecord(v, 'world.prompts');
  const defaultMs = o.defaultMs ?? 3000;
  if (typeof defaultMs !== 'number' || !Number.isFinite(defaultMs) || defaultMs < 0)
    throw new WorldFileError('world.prompts.defaultMs must be a non-negative number');
  const durations: Record<string, number> = {};
  for (const [uri, ms] of Object.entries(asRecord(o.durations ?? {}, 'world.prompts.durations'))) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
      throw new WorldFileError(`world.prompts.durations["${uri}"] must be a non-negative number`);
    durations[uri] = ms;
  }
  return { defaultMs, durations };
}

export class WorldFileError extends Error {}

function asRecord(v: unknown, where: string): Record<string, unknown> {
  if (!isRecord(v)) throw new WorldFileError(`${where} must be an object`);
  return v;
}

function str(o: Record<string, unknown>, key: string, where: string, fallback?: string): string {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || v.length === 0) throw new WorldFileError(`${where}.${key} must be a non-empty string`);
  return v;
}

function arr(o: Record<string, unknown>, key: string, where: string): unknown[] {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new WorldFileError(`${where}.${key} must be an array`);
  return v;
}

/** Checks an answer behaviour (world file, control API); the error names the offending path. */
export function checkAnswer(v: unknown, where: string, fallback: AnswerBehaviour): AnswerBehaviour | Problem {
  if (v === undefined) return fallback;
  if (!isRecord(v)) return { error: `${where} must be an object`, target: where };
  const action = v.action ?? fallback.action;
  if (!isPersonAnswer(action))
    return { error: `${where}.action must be one of ${PERSON_ANSWERS.join(', ')}`, target: `${where}.action` };
  const afterMs = v.afterMs ?? fallback.afterMs;
  if (typeof afterMs !== 'number' || !Number.isFinite(afterMs) || afterMs < 0)
    return { error: `${where}.afterMs must be a non-negative number`, target: `${where}.afterMs` };
  return { action, afterMs };
}

/** Checks a list of later actions (`then`); the error names the offending path. */
export function checkThen(v: unknown, where: string): LaterAction[] | Problem {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return { error: `${where} must be an array of actions`, target: where };
  const out: LaterAction[] = [];
  for (const [i, a] of v.entries()) {
    const r = parseLaterAction(a, `${where}[${i}]`, { needAfterMs: true });
    if (isProblem(r)) return r;
    out.push(r);
  }
  return out;
}

function orThrowWorld<T extends object>(r: T | Problem): T {
  if (isProblem(r)) throw new WorldFileError(r.error);
  return r;
}

/** `then` only when the file gives one, so a world parses back to itself. */
function thenOf(o: Record<string, unknown>, where: string): { then?: LaterAction[] } {
  return o.then === undefined ? {} : { then: orThrowWorld(checkThen(o.then, `${where}.then`)) };
}

function parseAnswer(v: unknown, where: string, fallback: AnswerBehaviour): AnswerBehaviour {
  return orThrowWorld(checkAnswer(v, where, fallback));
}

const DEFAULT_ANSWER: AnswerBehaviour = { action: 'accept', afterMs: 1000 };
const E164 = /^\+[1-9]\d{6,14}$/;

/** Parses and checks a world document; every error names the offending path. */
export function parseWorld(doc: unknown): World {
  const root = asRecord(doc, 'world');
  const tenantsRaw = arr(root, 'tenants', 'world');
  if (tenantsRaw.length === 0) throw new WorldFileError('world.tenants must list at least one tenant');
  const establishMs = root.establishMs ?? 200;
  if (typeof establishMs !== 'number' || establishMs < 0)
    throw new WorldFileError('world.establishMs must be a non-negative number');
  const seenApps = new Set<string>();
  const tenants = tenantsRaw.map((t, ti): Tenant => {
    const w = `world.tenants[${ti}]`;
    const o = asRecord(t, w);
    const defaultPhoneAnswer = parseAnswer(o.defaultPhoneAnswer, `${w}.defaultPhoneAnswer`, DEFAULT_ANSWER);
    const apps = arr(o, 'apps', w).map((a, ai): App => {
      const aw = `${w}.apps[${ai}]`;
      const ao = asRecord(a, aw);
      const id = str(ao, 'id', aw);
      if (seenApps.has(id)) throw new WorldFileError(`${aw}.id ${id} is listed twice`);
      seenApps.add(id);
      const roles = arr(ao, 'roles', aw);
      if (!roles.every((r) => typeof r === 'string')) throw new WorldFileError(`${aw}.roles must be strings`);
      const callbackUri = ao.callbackUri;
      if (callbackUri !== undefined && callbackUri !== null && typeof callbackUri !== 'string') {
        throw new WorldFileError(`${aw}.callbackUri must be a string`);
      }
      return {
        id,
        displayName: str(ao, 'displayName', aw, id),
        secret: str(ao, 'secret', aw),
        roles: roles.filter((r): r is string => typeof r === 'string'),
        callbackUri: typeof callbackUri === 'string' ? callbackUri : null,
        ...registeredOf(ao.callingRegistered, aw),
        instances: arr(ao, 'instances', aw).map((i, ii): ApplicationInstance => {
          const iw = `${aw}.instances[${ii}]`;
          const io = asRecord(i, iw);
          const phoneNumber = io.phoneNumber;
          if (
            phoneNumber !== undefined &&
            phoneNumber !== null &&
            (typeof phoneNumber !== 'string' || !E164.test(phoneNumber))
          ) {
            throw new WorldFileError(`${iw}.phoneNumber must be an E.164 number such as +14255550100`);
          }
          const iid = str(io, 'id', iw);
          return {
            id: iid,
            displayName: str(io, 'displayName', iw, iid),
            phoneNumber: typeof phoneNumber === 'string' ? phoneNumber : null,
          };
        }),
      };
    });
    const users = arr(o, 'users', w).map((u, ui): User => {
      const uw = `${w}.users[${ui}]`;
      const uo = asRecord(u, uw);
      const id = str(uo, 'id', uw);
      return {
        id,
        displayName: str(uo, 'displayName', uw, id),
        answer: parseAnswer(uo.answer, `${uw}.answer`, DEFAULT_ANSWER),
        ...thenOf(uo, uw),
      };
    });
    const phones = arr(o, 'phones', w).map((p, pi): Phone => {
      const pw = `${w}.phones[${pi}]`;
      const po = asRecord(p, pw);
      const number = str(po, 'number', pw);
      if (!E164.test(number)) throw new WorldFileError(`${pw}.number must be an E.164 number such as +14255550100`);
      return { number, answer: parseAnswer(po.answer, `${pw}.answer`, defaultPhoneAnswer), ...thenOf(po, pw) };
    });
    const meetings = arr(o, 'meetings', w).map((m, mi): Meeting => {
      const mw = `${w}.meetings[${mi}]`;
      const mo = asRecord(m, mw);
      const createdByAppId = mo.createdByAppId;
      if (createdByAppId !== undefined && createdByAppId !== null && typeof createdByAppId !== 'string') {
        throw new WorldFileError(`${mw}.createdByAppId must be a string`);
      }
      const passcode = mo.passcode ?? null;
      if (passcode !== null && typeof passcode !== 'string')
        throw new WorldFileError(`${mw}.passcode must be a string`);
      const scope = mo.lobbyBypassScope ?? null;
      if (scope !== null && !isLobbyBypassScope(scope)) {
        throw new WorldFileError(`${mw}.lobbyBypassScope must be one of ${LOBBY_BYPASS_SCOPES.join(', ')}`);
      }
      const dialIn = mo.isDialInBypassEnabled ?? false;
      if (typeof dialIn !== 'boolean') throw new WorldFileError(`${mw}.isDialInBypassEnabled must be a boolean`);
      return {
        id: str(mo, 'id', mw),
        threadId: str(mo, 'threadId', mw),
        joinMeetingId: str(mo, 'joinMeetingId', mw),
        organizerId: str(mo, 'organizerId', mw),
        createdByAppId: typeof createdByAppId === 'string' ? createdByAppId : null,
        passcode,
        lobbyBypassScope: scope,
        isDialInBypassEnabled: dialIn,
      };
    });
    const consentedApps = arr(o, 'consentedApps', w);
    if (!consentedApps.every((a) => typeof a === 'string'))
      throw new WorldFileError(`${w}.consentedApps must be app ids (strings)`);
    return {
      id: str(o, 'id', w),
      displayName: str(o, 'displayName', w, 'Tenant'),
      apps,
      ...(o.consentedApps === undefined ? {} : { consentedApps: consentedApps.filter((a) => typeof a === 'string') }),
      users,
      phones,
      meetings,
      defaultPhoneAnswer,
    };
  });
  for (const [ti, t] of tenants.entries()) {
    for (const [ai, appId] of (t.consentedApps ?? []).entries()) {
      const home = tenants.find((h) => h.apps.some((a) => a.id.toLowerCase() === appId.toLowerCase()));
      if (!home)
        throw new WorldFileError(`world.tenants[${ti}].consentedApps[${ai}]: no tenant registers an app ${appId}`);
      if (home === t)
        throw new WorldFileError(
          `world.tenants[${ti}].consentedApps[${ai}]: app ${appId} is registered in this tenant already`,
        );
    }
  }
  const prompts = parsePromptTimes(root.prompts);
  const endCall = root.endCallOnCallbackFailure;
  if (endCall !== undefined && typeof endCall !== 'boolean')
    throw new WorldFileError('world.endCallOnCallbackFailure must be a boolean');
  let faults: Fault[];
  try {
    faults = parseFaults(root.faults, 'world.faults');
  } catch (err) {
    throw err instanceof FaultsError ? new WorldFileError(err.message) : err;
  }
  return {
    tenants,
    establishMs,
    ...(endCall !== undefined ? { endCallOnCallbackFailure: endCall } : {}),
    ...(prompts ? { prompts } : {}),
    ...(faults.length > 0 ? { faults } : {}),
  };
}

export function loadWorldFile(path: string): World {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new WorldFileError(`cannot read world file ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new WorldFileError(`world file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseWorld(doc);
}

/**
 * Read-side lookups over a world; ids compare case-insensitively as Graph's GUIDs do. The deciders see it only as a
 * `WorldView` (no behaviours); how its people answer reaches them as `Reactions` (src/sim/reactions.ts).
 */
export class Directory implements WorldView {
  private readonly appsById = new Map<string, { app: App; tenant: Tenant }>();
  private readonly instancesById = new Map<string, { instance: ApplicationInstance; app: App; tenant: Tenant }>();
  private readonly usersById = new Map<string, { user: User; tenant: Tenant }>();

  readonly world: World;
  /** The people a browser softphone holds now (their answer behaviour is set aside meanwhile). */
  readonly softphones = new SoftphoneLeases();
  /** Whether anyone may have later actions: asked on every command, so kept rather than scanning every person. */
  private laterActions = false;
  /**
   * The world as loaded, before any run-time change: what a reset (POST /_switchboard/reset) returns to. Kept
   * serialized (the structured-clone format, in a Buffer outside the JS heap) rather than as a second object graph: a
   * load-test world of 50,000 people is ~150,000 objects that every major garbage collection would otherwise trace,
   * for a copy read only on reset.
   */
  readonly #loaded: Buffer;

  constructor(world: World) {
    this.world = world;
    this.#loaded = serialize(world);
    this.#index();
  }

  /**
   * Undoes every run-time change (behaviours, faults): the world is the loaded one again. In place, so whoever holds
   * this directory (or its `world`) sees the change; entries looked up before it are stale.
   */
  restoreLoaded(): void {
    const fresh = deserialize(this.#loaded) as World;
    const world = this.world as unknown as Record<string, unknown>;
    for (const key of Object.keys(world)) delete world[key];
    Object.assign(world, fresh);
    this.softphones.clear();
    this.#index();
  }

  #index(): void {
    const world = this.world;
    this.appsById.clear();
    this.instancesById.clear();
    this.usersById.clear();
    this.laterActions = world.tenants.some(
      (t) => t.users.some((u) => (u.then?.length ?? 0) > 0) || t.phones.some((p) => (p.then?.length ?? 0) > 0),
    );
    for (const tenant of world.tenants) {
      for (const app of tenant.apps) {
        this.appsById.set(app.id.toLowerCase(), { app, tenant });
        for (const instance of app.instances)
          this.instancesById.set(instance.id.toLowerCase(), { instance, app, tenant });
      }
      for (const user of tenant.users) this.usersById.set(user.id.toLowerCase(), { user, tenant });
    }
  }

  get establishMs(): number {
    return this.world.establishMs;
  }

  tenant(id: string): Tenant | undefined {
    const key = id.toLowerCase();
    return this.world.tenants.find((t) => t.id.toLowerCase() === key);
  }

  app(id: string): { app: App; tenant: Tenant } | undefined {
    return this.appsById.get(id.toLowerCase());
  }

  /**
   * The app `appId` as tenant `tenantId` knows it: registered there, or a multi-tenant app registered elsewhere that
   * the tenant consented to (`consentedApps`). Its registration (secret, roles, callback) is always its home's.
   */
  appInTenant(appId: string, tenantId: string): { app: App; tenant: Tenant } | undefined {
    const found = this.app(appId);
    const tenant = this.tenant(tenantId);
    if (!found || !tenant) return undefined;
    if (found.tenant === tenant) return found;
    const consented = tenant.consentedApps?.some((a) => a.toLowerCase() === found.app.id.toLowerCase()) ?? false;
    return consented ? found : undefined;
  }

  instance(id: string): { instance: ApplicationInstance; app: App; tenant: Tenant } | undefined {
    return this.instancesById.get(id.toLowerCase());
  }

  user(id: string): { user: User; tenant: Tenant } | undefined {
    return this.usersById.get(id.toLowerCase());
  }

  phoneAnswer(tenantId: string, number: string): AnswerBehaviour {
    const tenant = this.tenant(tenantId);
    if (!tenant) return DEFAULT_ANSWER;
    return tenant.phones.find((p) => p.number === number)?.answer ?? tenant.defaultPhoneAnswer;
  }

  /** True when anyone has later actions: otherwise commands skip looking for newly connected people. */
  hasLaterActions(): boolean {
    return this.laterActions;
  }

  /** The later actions of the person an identity set names (a user, or a phone number of the tenant). */
  laterActionsOf(identity: IdentitySet, tenantId: string): LaterAction[] {
    const p = primaryIdentity(identity);
    const id = typeof p?.value.id === 'string' ? p.value.id : '';
    if (p?.key === 'user') return this.user(id)?.user.then ?? [];
    if (p?.key === 'phone') return this.tenant(tenantId)?.phones.find((x) => x.number === id)?.then ?? [];
    return [];
  }

  /** Every person (users, then listed phones) with their behaviour, optionally of one tenant. */
  people(tenantId?: string): {
    tenantId: string;
    kind: 'user' | 'phone';
    id: string;
    displayName: string | null;
    answer: AnswerBehaviour;
    then: LaterAction[];
  }[] {
    return this.world.tenants
      .filter((t) => tenantId === undefined || t.id.toLowerCase() === tenantId.toLowerCase())
      .flatMap((t) => [
        ...t.users.map((u) => ({
          tenantId: t.id,
          kind: 'user' as const,
          id: u.id,
          displayName: u.displayName,
          answer: u.answer,
          then: u.then ?? [],
        })),
        ...t.phones.map((p) => ({
          tenantId: t.id,
          kind: 'phone' as const,
          id: p.number,
          displayName: null,
          answer: p.answer,
          then: p.then ?? [],
        })),
      ]);
  }

  /** Whether setBehaviour would change someone: `ref` is a user of the world, or a phone number in a tenant it names. */
  canSetBehaviour(ref: string, tenantId?: string): boolean {
    return this.user(ref) !== undefined || (E164.test(ref) && this.#tenantsOf(tenantId).length > 0);
  }

  #tenantsOf(tenantId: string | undefined): Tenant[] {
    return this.world.tenants.filter((t) => tenantId === undefined || t.id.toLowerCase() === tenantId.toLowerCase());
  }

  /**
   * Changes a person's behaviour at run time (in this process's memory, like the world file it overrides; the
   * control API records each change in the store so every instance applies it: src/sim/world-sync.ts).
   * A user id changes that user; an E.164 number changes that phone in every tenant (or `tenantId`'s), listing it
   * where it was not. Returns false for an id that is neither a known user nor a phone number.
   */
  setBehaviour(ref: string, change: { answer?: AnswerBehaviour; then?: LaterAction[] }, tenantId?: string): boolean {
    if (!this.canSetBehaviour(ref, tenantId)) return false;
    // Never reset to false: an over-approximation only costs the look-up it would have skipped.
    if ((change.then?.length ?? 0) > 0) this.laterActions = true;
    const user = this.user(ref)?.user;
    if (user) {
      if (change.answer) user.answer = change.answer;
      if (change.then) user.then = change.then;
      return true;
    }
    for (const t of this.#tenantsOf(tenantId)) {
      let phone = t.phones.find((p) => p.number === ref);
      if (!phone) {
        phone = { number: ref, answer: t.defaultPhoneAnswer };
        t.phones.push(phone);
      }
      if (change.answer) phone.answer = change.answer;
      if (change.then) phone.then = change.then;
    }
    return true;
  }

  meetingByThreadId(tenantId: string, threadId: string): Meeting | undefined {
    return this.tenant(tenantId)?.meetings.find((m) => m.threadId === threadId);
  }

  meetingByJoinId(tenantId: string, joinMeetingId: string): Meeting | undefined {
    return this.tenant(tenantId)?.meetings.find((m) => m.joinMeetingId === joinMeetingId);
  }
}

/** `apps[].callingRegistered`: absent means registered; only a boolean is kept. */
function registeredOf(value: unknown, where: string): { callingRegistered?: boolean } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'boolean') throw new WorldFileError(`${where}.callingRegistered must be true or false`);
  return { callingRegistered: value };
}
