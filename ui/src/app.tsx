/** The shell: header navigation, the control-key prompt when the server asks for one, and the routed page. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onKeyNeeded, setControlKey } from './api.js';
import { Link, matchPattern, useLocation } from './router.js';
import { ROUTES } from './routes.js';
import { useFeedStatus } from './feed.js';

function LiveStatus(): JSX.Element {
  const status = useFeedStatus();
  return (
    <span class="live" role="status">
      {status === 'live' ? '● live' : status === 'connecting' ? 'connecting…' : 'reconnecting…'}
    </span>
  );
}

function KeyForm(): JSX.Element {
  const [value, setValue] = useState('');
  return (
    <form
      class="key-form"
      aria-label="Enter the control key"
      onSubmit={(e) => {
        e.preventDefault();
        setControlKey(value.trim());
        window.location.reload();
      }}
    >
      <p>
        This server requires its control key (printed in its start banner). It is kept in this tab only (sessionStorage)
        and sent as a header with each request.
      </p>
      <label>
        Control key{' '}
        <input type="password" value={value} autocomplete="off" onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <button type="submit">Use key</button>
    </form>
  );
}

export function App(): JSX.Element {
  const { path } = useLocation();
  const [needsKey, setNeedsKey] = useState(false);
  useEffect(() => onKeyNeeded(setNeedsKey), []);
  let page: JSX.Element = <NotFound path={path} />;
  let title = 'Not found';
  for (const r of ROUTES) {
    const params = matchPattern(r.pattern, path);
    if (params) {
      page = r.page(params);
      title = r.title(params);
      break;
    }
  }
  useEffect(() => {
    document.title = `${title} · Switchboard`;
  }, [title]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Switchboard</span>
        <nav aria-label="Sections">
          {ROUTES.filter((r) => r.nav).map((r) => (
            <Link key={r.pattern} href={r.pattern} aria-current={matchPattern(r.pattern, path) ? 'page' : undefined}>
              {r.nav}
            </Link>
          ))}
        </nav>
        <LiveStatus />
      </header>
      <main id="main" tabIndex={-1}>
        {needsKey ? <KeyForm /> : null}
        {page}
      </main>
    </>
  );
}

function NotFound(props: { path: string }): JSX.Element {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No page at <code>{props.path}</code>. <Link href="">All calls</Link>
      </p>
    </section>
  );
}
