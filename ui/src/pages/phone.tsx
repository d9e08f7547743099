/**
 * The softphone (`/_switchboard/ui/people/{personId}`): this tab is that person's phone. Its stream
 * (GET /_switchboard/people/{id}/softphone, read with fetch so the control key header can go along) holds the person
 * while the tab is open ("the person in the browser decides") and sends the screen after every change: rings to
 * answer, calls to act in, prompts to hear and recordings to speak into. Every button is a control API call: ring
 * answers (POST …/rings/{ringId}), person actions (POST /_switchboard/calls/{id}/participants/{pid}/actions),
 * incoming calls (POST /_switchboard/incoming-calls). Audio helpers are in ../phone-audio.ts.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, authHeaders } from '../api.js';
import { PromptPlayer, MicRecorder } from '../phone-audio.js';

interface Ring {
  ringId: string;
  what: 'invite' | 'call' | 'transfer' | 'redirect';
  callId: string | null;
  conversationKind: string | null;
  from: { appId: string; displayName: string } | null;
  untilDateTime: string;
}

interface MediaOp {
  operationId: string;
  callId: string;
  type: 'playPrompt' | 'recordResponse';
  status: string;
  playing: boolean;
  promptUris: string[];
  promptMs: number;
  durationMs: number;
  startedDateTime: string | null;
  stopTones: string[];
  resultInfo?: { code: number; subcode: number; message?: string } | null;
  completionReason?: string | null;
}

interface PhoneCall {
  callId: string | null;
  conversationId: string;
  conversationKind: string | null;
  participantId: string;
  state: string;
  bots: { callId: string; state: string; appId: string; displayName: string }[];
  muted: boolean;
  onHold: boolean;
  toneSubscribed: boolean;
  media: MediaOp[];
  ended: MediaOp[];
}

export interface PhoneScreen {
  person: { id: string; kind: 'user' | 'phone'; displayName: string | null; tenantId: string | null };
  held: boolean;
  apps: { appId: string; displayName: string; tenantId: string; callbackUri: string | null }[];
  rings: Ring[];
  calls: PhoneCall[];
  now: string;
}

type StreamStatus = 'connecting' | 'held' | 'reconnecting' | 'not found';

/** The tab's stream: holds the person while open; reconnects after a drop (the lease outlives a short one). */
function usePhoneStream(personId: string): { screen: PhoneScreen | null; status: StreamStatus; error: string | null } {
  const [screen, setScreen] = useState<PhoneScreen | null>(null);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    void (async () => {
      for (let delay = 500; !ctrl.signal.aborted; delay = Math.min(delay * 2, 5000)) {
        try {
          const res = await fetch(`/_switchboard/people/${encodeURIComponent(personId)}/softphone`, {
            headers: { accept: 'text/event-stream', ...authHeaders() },
            signal: ctrl.signal,
          });
          if (res.status === 404) {
            const body = (await res.json()) as { error?: { message?: string } };
            setStatus('not found');
            setError(body.error?.message ?? `No person ${personId}.`);
            return;
          }
          if (!res.ok || !res.body) throw new Error(`softphone: ${res.status}`);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let cut: number;
            while ((cut = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (/^event: phone$/m.test(block) && data !== undefined) {
                const s = JSON.parse(data) as PhoneScreen;
                setScreen(s);
                setStatus(s.held ? 'held' : 'connecting');
                delay = 250;
              }
            }
          }
        } catch {
          if (ctrl.signal.aborted) return;
        }
        setStatus('reconnecting');
        await new Promise((r) => setTimeout(r, delay));
      }
    })();
    // Closing the tab (or leaving the page) ends the stream: the person's configured behaviour is back.
    return () => ctrl.abort();
  }, [personId]);
  return { screen, status, error };
}

const personPath = (id: string): string => `/_switchboard/people/${encodeURIComponent(id)}`;

const KIND_NAMES: Record<string, string> = {
  peerToPeer: 'peer-to-peer call',
  groupCall: 'group call',
  meeting: 'meeting',
};
const kindName = (k: string | null): string => (k ? (KIND_NAMES[k] ?? k) : 'call');

function RingCard(props: { ring: Ring; personId: string; onError: (m: string) => void }): JSX.Element {
  const { ring } = props;
  const [busy, setBusy] = useState(false);
  const answer = async (a: 'accept' | 'decline' | 'busy'): Promise<void> => {
    setBusy(true);
    try {
      await api('POST', `${personPath(props.personId)}/rings/${encodeURIComponent(ring.ringId)}`, { answer: a });
    } catch (e) {
      props.onError(e instanceof ApiError ? e.message : String(e));
      setBusy(false);
    }
  };
  const who = ring.from?.displayName ?? 'A bot';
  const what =
    ring.what === 'invite'
      ? `invites you to a ${kindName(ring.conversationKind)}`
      : ring.what === 'transfer'
        ? 'transfers a call to you'
        : ring.what === 'redirect'
          ? 'forwards a call to you'
          : 'is calling you';
  return (
    <li class="ring" aria-label={`${who} ${what}`}>
      <p>
        <strong>{who}</strong> {what}
        <span class="muted"> · call {ring.callId}</span>
      </p>
      <div class="controls">
        <button type="button" class="primary" disabled={busy} onClick={() => void answer('accept')}>
          Accept
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void answer('decline')}>
          Decline
        </button>
        <button type="button" disabled={busy} onClick={() => void answer('busy')}>
          Busy
        </button>
      </div>
    </li>
  );
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function MediaLine(props: { op: MediaOp; personId: string }): JSX.Element {
  const { op } = props;
  const uri = op.promptUris[0] ?? null;
  if (op.type === 'recordResponse') {
    return (
      <li>
        {op.playing ? <strong>Recording: speak now</strong> : <span>Recording queued</span>}
        {uri ? <span class="muted"> (after the prompt {uri})</span> : null}
        {op.stopTones.length > 0 ? <span class="muted"> · press {op.stopTones.join(' or ')} to stop</span> : null}
      </li>
    );
  }
  return (
    <li>
      {op.playing ? <strong>Playing</strong> : <span>Queued</span>}{' '}
      {op.promptUris.map((u) => (
        <code key={u}>{u}</code>
      ))}
      <span class="muted"> ({Math.round(op.promptMs / 100) / 10} s)</span>
    </li>
  );
}

function endedText(op: MediaOp): string {
  const what = op.type === 'recordResponse' ? 'Recording' : 'Prompt';
  const r = op.resultInfo ? ` (${op.resultInfo.code}/${op.resultInfo.subcode})` : '';
  if (op.status === 'Failed') return `${what} cancelled${r}`;
  return `${what} ${op.completionReason === 'stopToneDetected' ? 'stopped by a tone' : 'ended'}${r}`;
}

function CallCard(props: { call: PhoneCall; personId: string; onError: (m: string) => void }): JSX.Element {
  const { call } = props;
  const p2p = call.conversationKind === 'peerToPeer';
  const act = async (action: string, tones?: string): Promise<void> => {
    if (!call.callId) return;
    try {
      await api(
        'POST',
        `/_switchboard/calls/${encodeURIComponent(call.callId)}/participants/${encodeURIComponent(call.participantId)}/actions`,
        { action, ...(tones ? { tones } : {}) },
      );
    } catch (e) {
      props.onError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const bots = call.bots.map((b) => b.displayName).join(', ');
  return (
    <section class="phone-call" aria-label={`Call with ${bots}`}>
      <h3>
        In a {kindName(call.conversationKind)} with {bots}
      </h3>
      <p class="muted">
        call {call.callId} · {call.onHold ? 'on hold' : call.state}
        {call.muted ? ' · muted' : ''}
        {call.toneSubscribed ? ' · the bot listens for keys' : ''}
      </p>
      <div class="controls">
        {p2p ? null : (
          <button type="button" aria-pressed={call.muted} onClick={() => void act(call.muted ? 'unmute' : 'mute')}>
            {call.muted ? 'Unmute' : 'Mute'}
          </button>
        )}
        {p2p ? (
          <button type="button" aria-pressed={call.onHold} onClick={() => void act(call.onHold ? 'resume' : 'hold')}>
            {call.onHold ? 'Resume' : 'Hold'}
          </button>
        ) : null}
        <button type="button" class="danger" onClick={() => void act('hangUp')}>
          Hang up
        </button>
      </div>
      <div class="keypad" role="group" aria-label="Keypad">
        {KEYS.map((k) => (
          <button type="button" key={k} onClick={() => void act('pressTones', k)}>
            {k}
          </button>
        ))}
      </div>
      {call.media.length > 0 ? (
        <ul class="media" aria-label="What the bot plays">
          {call.media.map((op) => (
            <MediaLine key={op.operationId} op={op} personId={props.personId} />
          ))}
        </ul>
      ) : null}
      {call.ended.length > 0 ? (
        <ul class="media muted" aria-label="Prompts and recordings that ended">
          {call.ended.map((op) => (
            <li key={op.operationId}>
              {endedText(op)}{' '}
              {op.promptUris.map((u) => (
                <code key={u}>{u}</code>
              ))}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function CallTheBot(props: { screen: PhoneScreen; onError: (m: string) => void }): JSX.Element {
  const { screen } = props;
  const apps = screen.apps;
  const [appId, setAppId] = useState(apps[0]?.appId ?? '');
  const [note, setNote] = useState<string | null>(null);
  const call = async (e: Event): Promise<void> => {
    e.preventDefault();
    const app = apps.find((a) => a.appId === appId);
    if (!app) return;
    const source =
      screen.person.kind === 'phone'
        ? { phone: { id: screen.person.id } }
        : { user: { id: screen.person.id, displayName: screen.person.displayName } };
    try {
      const leg = await api<{ id: string }>('POST', '/_switchboard/incoming-calls', {
        tenantId: app.tenantId,
        source,
        target: { application: { id: app.appId } },
        requestedModalities: ['audio'],
      });
      setNote(`Calling ${app.displayName} (call ${leg.id}): it rings at the bot until the bot answers.`);
    } catch (err) {
      props.onError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <form class="controls" aria-label="Call the bot" onSubmit={(e) => void call(e)}>
      <label>
        Bot
        <select value={appId} onChange={(e) => setAppId(e.currentTarget.value)}>
          {apps.map((a) => (
            <option key={a.appId} value={a.appId}>
              {a.displayName}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary" disabled={apps.length === 0}>
        Call the bot
      </button>
      {note ? <p role="status">{note}</p> : null}
    </form>
  );
}

/** Plays what the bot plays and records what the bot records, as the screen changes. */
function useCallAudio(
  screen: PhoneScreen | null,
  personId: string,
  onError: (m: string) => void,
): { heard: string | null } {
  const player = useRef<PromptPlayer | null>(null);
  const recorder = useRef<MicRecorder | null>(null);
  const [heard, setHeard] = useState<string | null>(null);
  useEffect(
    () => () => {
      player.current?.stop();
      recorder.current?.abort();
    },
    [],
  );
  useEffect(() => {
    const ops = (screen?.calls ?? []).flatMap((c) => c.media.filter((m) => m.playing && !c.onHold));
    // Prompts: one plays at a time (the bot's queue); a recordResponse's prompt too, before it records.
    const prompt = ops.find((m) => m.type === 'playPrompt' || (m.type === 'recordResponse' && m.promptUris.length > 0));
    const key = prompt ? prompt.operationId : null;
    if (player.current?.operationId !== key) {
      player.current?.stop();
      player.current = prompt
        ? new PromptPlayer(prompt.operationId, prompt.promptUris, prompt.promptMs, setHeard)
        : null;
      if (!prompt) setHeard(null);
    }
    // A recording: listen to the microphone while it runs, hand the audio over once it ended.
    const rec = ops.find((m) => m.type === 'recordResponse');
    if (recorder.current && recorder.current.operationId !== rec?.operationId) {
      const done = recorder.current;
      recorder.current = null;
      void done
        .finish(`${personPath(personId)}/recordings/${encodeURIComponent(done.operationId)}`, authHeaders())
        .catch((e: unknown) => onError(`Could not hand the recording over: ${String(e)}`));
    }
    if (rec && !recorder.current) {
      recorder.current = new MicRecorder(rec.operationId);
      void recorder.current
        .start(`${personPath(personId)}/recordings/${encodeURIComponent(rec.operationId)}/capture`, authHeaders())
        .catch((e: unknown) => onError(`No microphone: ${String(e)}`));
    }
  }, [screen]);
  return { heard };
}

export function PhonePage(props: { personId: string }): JSX.Element {
  const { screen, status, error } = usePhoneStream(props.personId);
  const [problem, setProblem] = useState<string | null>(null);
  const { heard } = useCallAudio(screen, props.personId, setProblem);
  if (status === 'not found') {
    return (
      <section>
        <h1>Softphone</h1>
        <p role="alert">{error}</p>
      </section>
    );
  }
  const name = screen ? (screen.person.displayName ?? screen.person.id) : props.personId;
  return (
    <section class="phone">
      <h1>Softphone: {name}</h1>
      <p role="status" class="muted">
        {status === 'held'
          ? `This tab is ${name}'s phone: you answer their calls here (their configured behaviour is back when the tab closes).`
          : status === 'reconnecting'
            ? 'Reconnecting…'
            : 'Connecting…'}
      </p>
      {problem ? (
        <p role="alert" class="error">
          {problem}{' '}
          <button type="button" onClick={() => setProblem(null)}>
            Dismiss
          </button>
        </p>
      ) : null}
      {heard ? (
        <p role="status" aria-label="What you hear">
          {heard}
        </p>
      ) : null}
      <section aria-labelledby="ringing-h">
        <h2 id="ringing-h">Ringing</h2>
        {screen && screen.rings.length > 0 ? (
          <ul class="rings">
            {screen.rings.map((r) => (
              <RingCard key={r.ringId} ring={r} personId={props.personId} onError={setProblem} />
            ))}
          </ul>
        ) : (
          <p class="muted">Nothing rings.</p>
        )}
      </section>
      <section aria-labelledby="calls-h">
        <h2 id="calls-h">Calls</h2>
        {screen && screen.calls.length > 0 ? (
          screen.calls.map((c) => (
            <CallCard key={c.conversationId} call={c} personId={props.personId} onError={setProblem} />
          ))
        ) : (
          <p class="muted">Not in a call.</p>
        )}
      </section>
      <section aria-labelledby="call-bot-h">
        <h2 id="call-bot-h">Call the bot</h2>
        {screen ? <CallTheBot screen={screen} onError={setProblem} /> : null}
      </section>
    </section>
  );
}
