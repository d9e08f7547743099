/**
 * Choose whose phone this tab becomes (`/_switchboard/ui/people`): every person of the world, and any phone number,
 * each a link to its softphone (pages/phone.tsx).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { Link, navigate } from '../router.js';
import { useResource } from '../use-resource.js';

interface Person {
  tenantId: string;
  kind: 'user' | 'phone';
  id: string;
  displayName: string | null;
  answer: { action: string; afterMs: number };
}

export function PeoplePage(): JSX.Element {
  const people = useResource<{ value: Person[] }>('/_switchboard/people');
  const [number, setNumber] = useState('');
  return (
    <section>
      <h1>Softphone: choose a person</h1>
      <p class="muted">
        The tab you open becomes that person's phone: what rings them rings here, and you answer instead of their
        configured behaviour (which is back when the tab closes).
      </p>
      {people.error ? <p role="alert">{people.error.message}</p> : null}
      <ul aria-label="People">
        {(people.data?.value ?? []).map((p) => (
          <li key={`${p.tenantId}/${p.id}`}>
            <Link href={`people/${encodeURIComponent(p.id)}`}>{p.displayName ?? p.id}</Link>
            <span class="muted">
              {' '}
              · {p.kind === 'phone' ? 'phone' : p.id} · usually {p.answer.action} after {p.answer.afterMs} ms
            </span>
          </li>
        ))}
      </ul>
      <form
        class="controls"
        aria-label="Any phone number"
        onSubmit={(e) => {
          e.preventDefault();
          if (number.trim() !== '') navigate(`people/${encodeURIComponent(number.trim())}`);
        }}
      >
        <label>
          Phone number (E.164)
          <input
            type="tel"
            value={number}
            placeholder="+14255550100"
            onInput={(e) => setNumber(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Open its softphone</button>
      </form>
    </section>
  );
}
