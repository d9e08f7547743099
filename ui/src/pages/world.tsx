/**
 * The world and its controls: people and their behaviours (edit), injected faults (edit), the virtual clock
 * (advance by an amount, set), reset, and rotation of the notification signing key. Each control calls the control
 * API and shows its answer; errors show the API's message (it names the offending property).
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useDebounced, useFeed } from '../feed.js';
import { useResource } from '../use-resource.js';

interface Person {
  tenantId: string;
  kind: 'user' | 'phone';
  id: string;
  displayName: string | null;
  answer: { action: string; afterMs: number };
  then: unknown[];
}

interface Clock {
  mode: 'real' | 'virtual';
  now: string;
  epochMs: number;
}

const ACTIONS = ['accept', 'decline', 'busy', 'noAnswer'];
const UNITS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/** Runs a control action, keeping its outcome for a status line. */
function useAction(): {
  status: string;
  error: boolean;
  run: (what: string, fn: () => Promise<unknown>) => Promise<void>;
} {
  const [status, setStatus] = useState('');
  const [error, setError] = useState(false);
  return {
    status,
    error,
    run: async (what, fn) => {
      setStatus(`${what}…`);
      setError(false);
      try {
        await fn();
        setStatus(`${what}: done.`);
      } catch (e) {
        setError(true);
        setStatus(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}

function Status(props: { status: string; error: boolean }): JSX.Element {
  return (
    <p role="status" class={props.error ? 'state-failed' : 'muted'}>
      {props.status}
    </p>
  );
}

function PersonRow(props: { p: Person; saved: () => void }): JSX.Element {
  const { p } = props;
  const name = p.displayName ? `${p.displayName}` : p.id;
  const [editing, setEditing] = useState(false);
  const [action, setAction] = useState(p.answer.action);
  const [afterMs, setAfterMs] = useState(String(p.answer.afterMs));
  const [then, setThen] = useState(JSON.stringify(p.then));
  const act = useAction();
  // The Edit button and the form replace each other: move the keyboard focus with them (into the form when it
  // opens, back to Edit when it closes), so a keyboard user is not dropped at the top of the page.
  const editRef = useRef<HTMLButtonElement>(null);
  const firstFieldRef = useRef<HTMLSelectElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (editing) firstFieldRef.current?.focus();
    else if (wasEditing.current) editRef.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  // Saved (or changed elsewhere): the row shows the new behaviour, and the next edit starts from it.
  const shown = `${p.answer.action}/${p.answer.afterMs}/${JSON.stringify(p.then)}`;
  useEffect(() => {
    setAction(p.answer.action);
    setAfterMs(String(p.answer.afterMs));
    setThen(JSON.stringify(p.then));
  }, [shown]);
  return (
    <tr>
      <td data-label="Person">
        {name}
        <div class="muted">
          <code>{p.id}</code> ({p.kind})
        </div>
      </td>
      {editing ? (
        <td colSpan={2} data-label="Behaviour">
          <form
            class="controls"
            aria-label={`Behaviour of ${name}`}
            onSubmit={(e) => {
              e.preventDefault();
              void act.run(`Behaviour of ${name}`, async () => {
                let parsedThen: unknown;
                try {
                  parsedThen = JSON.parse(then);
                } catch {
                  throw new Error('Then is not valid JSON (a list such as [{"afterMs":5000,"action":"hangUp"}]).');
                }
                await api('PUT', `/_switchboard/people/${encodeURIComponent(p.id)}/behaviour`, {
                  answer: { action, afterMs: Number(afterMs) },
                  then: parsedThen,
                  tenantId: p.tenantId,
                });
                setEditing(false);
                props.saved();
              });
            }}
          >
            <label>
              Answer
              <select ref={firstFieldRef} value={action} onChange={(e) => setAction(e.currentTarget.value)}>
                {ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </label>
            <label>
              After (ms)
              <input type="number" min={0} value={afterMs} onInput={(e) => setAfterMs(e.currentTarget.value)} />
            </label>
            <label style={{ flex: '1 1 16rem' }}>
              Then, once connected (JSON)
              <input type="text" value={then} onInput={(e) => setThen(e.currentTarget.value)} />
            </label>
            <button type="submit" class="primary">
              Save behaviour
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
          <Status status={act.status} error={act.error} />
        </td>
      ) : (
        <>
          <td data-label="Answers">
            {p.answer.action} after {p.answer.afterMs} ms
            {p.then.length > 0 ? <div class="muted">then {JSON.stringify(p.then)}</div> : null}
          </td>
          <td data-label="Edit">
            <button
              type="button"
              ref={editRef}
              aria-label={`Edit behaviour of ${name}`}
              onClick={() => setEditing(true)}
            >
              Edit
            </button>
          </td>
        </>
      )}
    </tr>
  );
}

/**
 * Reset asks for a confirmation. The keyboard focus follows the buttons as they replace each other: to Cancel (the
 * harmless choice, so a second Enter does not reset) when asked, back to "Reset world…" after either answer.
 */
function ResetControl(props: { onConfirm: () => void }): JSX.Element {
  const [asking, setAsking] = useState(false);
  const resetRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) resetRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  return asking ? (
    <p>
      <button
        type="button"
        class="danger"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        Confirm reset
      </button>{' '}
      <button type="button" ref={cancelRef} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </p>
  ) : (
    <button type="button" ref={resetRef} class="danger" onClick={() => setAsking(true)}>
      Reset world…
    </button>
  );
}

export function WorldPage(): JSX.Element {
  const people = useResource<{ value: Person[] }>('/_switchboard/people');
  const faults = useResource<{ faults: unknown[] }>('/_switchboard/faults');
  const clock = useResource<Clock>('/_switchboard/clock');
  const keys = useResource<{ current: { kid: string; activatedDateTime: string }; previous: unknown[] }>(
    '/_switchboard/notification-keys',
  );
  const reloadAll = (): void => {
    people.reload();
    faults.reload();
    clock.reload();
    keys.reload();
  };
  const reload = useDebounced(reloadAll);
  useFeed((e) => {
    // A reset restores the loaded world; a timer firing, or a clock event, means the (virtual) clock moved.
    if (e.kind === 'reset') reload();
    else if (e.kind === 'command' || e.kind === 'clock') clock.reload();
  });
  const [amount, setAmount] = useState('1');
  const [unit, setUnit] = useState('s');
  const [setTo, setSetTo] = useState('');
  const [faultText, setFaultText] = useState<string | null>(null);
  const clockAct = useAction();
  const faultAct = useAction();
  const resetAct = useAction();
  const keyAct = useAction();
  const realClock = clock.data?.mode === 'real';
  const shownFaults = faultText ?? JSON.stringify(faults.data?.faults ?? [], null, 2);
  return (
    <section aria-labelledby="world-title">
      <h1 id="world-title">World and controls</h1>
      <div class="grid2">
        <section class="card" aria-labelledby="clock-title">
          <h2 id="clock-title">Clock</h2>
          <p>
            {clock.data ? (
              <>
                <strong>{clock.data.mode}</strong> clock: <time dateTime={clock.data.now}>{clock.data.now}</time>
              </>
            ) : (
              'Loading…'
            )}
          </p>
          {realClock ? (
            <p id="clock-real" class="muted">
              Time moves by itself on the real clock: start the server with <code>--clock virtual</code> to advance or
              set it here.
            </p>
          ) : null}
          {/* The real clock cannot be moved (the API answers 409): the controls stay visible, disabled, saying why. */}
          <fieldset class="bare" disabled={realClock} aria-describedby={realClock ? 'clock-real' : undefined}>
            <form
              class="controls"
              aria-label="Advance the clock"
              onSubmit={(e) => {
                e.preventDefault();
                const ms = Math.round(Number(amount) * (UNITS[unit] ?? 1));
                void clockAct.run(`Advance by ${amount} ${unit}`, async () => {
                  await api('POST', '/_switchboard/clock/advance', { ms });
                  clock.reload();
                });
              }}
            >
              <label>
                Amount
                <input
                  type="number"
                  min={0}
                  step="any"
                  value={amount}
                  onInput={(e) => setAmount(e.currentTarget.value)}
                />
              </label>
              <label>
                Unit
                <select value={unit} onChange={(e) => setUnit(e.currentTarget.value)}>
                  {Object.keys(UNITS).map((u) => (
                    <option key={u} value={u}>
                      {u}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" class="primary">
                Advance clock
              </button>
            </form>
            <form
              class="controls"
              aria-label="Set the clock"
              onSubmit={(e) => {
                e.preventDefault();
                void clockAct.run(`Set to ${setTo}`, async () => {
                  await api('POST', '/_switchboard/clock/set', { time: new Date(setTo).toISOString() });
                  clock.reload();
                });
              }}
            >
              <label>
                Time
                <input
                  type="datetime-local"
                  step="1"
                  value={setTo}
                  onInput={(e) => setSetTo(e.currentTarget.value)}
                  required
                />
              </label>
              <button type="submit">Set clock</button>
            </form>
          </fieldset>
          <Status status={clockAct.status} error={clockAct.error} />
        </section>
        <section class="card" aria-labelledby="controls-title">
          <h2 id="controls-title">Reset and keys</h2>
          <p>Reset drops every call, notification, timer, meeting made through the API and run-time change.</p>
          <ResetControl
            onConfirm={() =>
              void resetAct.run('Reset', async () => {
                await api('POST', '/_switchboard/reset', {});
                setFaultText(null);
                reloadAll();
              })
            }
          />
          <Status status={resetAct.status} error={resetAct.error} />
          <p>
            Notification signing key: <code>{keys.data?.current.kid ?? '…'}</code>
            {keys.data
              ? ` (since ${keys.data.current.activatedDateTime}; ${keys.data.previous.length} replaced key(s) still published)`
              : ''}
          </p>
          <button
            type="button"
            onClick={() =>
              void keyAct.run('Rotate signing key', async () => {
                await api('POST', '/_switchboard/notification-keys/rotate', {});
                keys.reload();
              })
            }
          >
            Rotate signing key
          </button>
          <Status status={keyAct.status} error={keyAct.error} />
        </section>
      </div>
      <section class="card" aria-labelledby="people-title">
        <h2 id="people-title">People and behaviours</h2>
        {people.error ? <p role="alert">{people.error.message}</p> : null}
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Answers</th>
                <th scope="col">Edit</th>
              </tr>
            </thead>
            <tbody>
              {(people.data?.value ?? []).map((p) => (
                <PersonRow key={`${p.tenantId}/${p.id}`} p={p} saved={people.reload} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="faults-title">
        <h2 id="faults-title">Injected faults</h2>
        <form
          aria-label="Faults"
          onSubmit={(e) => {
            e.preventDefault();
            void faultAct.run('Save faults', async () => {
              let parsed: unknown;
              try {
                parsed = JSON.parse(shownFaults);
              } catch {
                throw new Error('The faults are not valid JSON (a list; [] clears them).');
              }
              await api('PUT', '/_switchboard/faults', { faults: parsed });
              setFaultText(null);
              faults.reload();
            });
          }}
        >
          <label style={{ display: 'flex' }}>
            Faults (JSON list)
            <textarea value={shownFaults} onInput={(e) => setFaultText(e.currentTarget.value)} spellcheck={false} />
          </label>
          <p>
            <button type="submit" class="primary">
              Save faults
            </button>
          </p>
        </form>
        <Status status={faultAct.status} error={faultAct.error} />
      </section>
    </section>
  );
}
