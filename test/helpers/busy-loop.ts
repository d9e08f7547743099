/**
 * Keeps this process's event loop busy, as an overloaded server's would be: every turn spends `turnMs` in a busy
 * loop, so the event-loop lag probe (src/service/admission.ts EventLoopLag) runs late each time it runs. A server
 * started in this process shares the loop.
 */
export interface BusyLoop {
  stop(): void;
}

/** Starts the busy turns; resolves after ten of them, by which the probe has run late at least twice in a row. */
export async function startBusyLoop(turnMs = 250): Promise<BusyLoop> {
  let timer: NodeJS.Timeout | null = setInterval(() => {
    const until = performance.now() + turnMs;
    while (performance.now() < until) {
      /* the server shares this event loop */
    }
  }, 0);
  for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
  return {
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
