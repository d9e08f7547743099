/**
 * Keeps the event loop's turns short while new connections wait to be accepted.
 *
 * Why: libuv (1.45 and later, so Node 20) accepts one connection per turn of the event loop (libuv#3696, "don't
 * accept() connections in a loop"). A turn runs every request that became readable in its poll phase, up to its
 * commit, so at saturation turns took 10–300 ms and the server accepted 3–50 connections a second. A client whose
 * pool grows when answers slow down (Node's http.Agent, .NET's SocketsHttpHandler) then opened hundreds of
 * connections that waited in the kernel's accept queue for seconds: in the bench's beyond-capacity run, 634 queued,
 * and requests were answered 1–17 s after they were written while no turn ran longer than 300 ms. Nothing in front
 * of the accept can refuse them.
 *
 * A turn that accepted a connection says the accept queue was not empty, so more are likely waiting: until a turn
 * accepts none, the pacer starts at most `perTurn` requests a turn. The rest wait in arrival order and start
 * `perTurn` at a time, one batch per later turn (a setImmediate queued from the check phase runs in the next turn,
 * after a poll phase that accepts the next connection). Turns stay short, so the queue of connections drains at
 * hundreds a second. Pacing is off otherwise: clients on kept-alive connections (the usual case) are started as
 * they come, and their commands keep sharing one commit per turn (pacing all the time cost 10–40 % more CPU per
 * invite at the file peak, from smaller commit groups). How long the oldest waiting request has waited is part of
 * the overload lag signal (src/service/admission.ts): beyond its bound new Graph requests are refused at the door.
 */
export class TurnPacer {
  readonly perTurn: number;
  readonly #now: () => number;
  /** Waiting starts, FIFO (index-based: a deep queue under overload stays O(1) per take). */
  #queue: Array<{ at: number; start: (waitedMs: number) => void } | undefined> = [];
  #head = 0;
  /** A connection was accepted since the last check phase. */
  #accepted = false;
  /** Pacing: a recent turn accepted a connection. */
  #pacing = false;
  /** Requests started at once in this turn while pacing (reset by #check, which runs every turn while pacing). */
  #startedThisTurn = 0;
  #pumpScheduled = false;

  constructor(perTurn = 1, now: () => number = () => performance.now()) {
    if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError('perTurn must be a positive integer');
    this.perTurn = perTurn;
    this.#now = now;
  }

  /** Requests waiting for a turn. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** Whether requests are being paced now (a recent turn accepted a connection). */
  get pacing(): boolean {
    return this.#pacing;
  }

  /** How long (ms) the oldest waiting request has waited; 0 when none waits. */
  oldestWaitMs(): number {
    const oldest = this.#queue[this.#head];
    return oldest ? this.#now() - oldest.at : 0;
  }

  /** A server accepted a connection (its 'connection' event): pace until a turn accepts none. */
  noteConnection(): void {
    this.#accepted = true;
    if (this.#pacing) return; // #check is already scheduled
    this.#pacing = true;
    setImmediate(this.#check);
  }

  /**
   * Runs `start` now if nothing waits before it and this turn has room, else in a later turn; `start` is told how
   * long (ms) it waited, so a request that waited too long can be refused instead of run (src/api/overload-door.ts).
   */
  run(start: (waitedMs: number) => void): void {
    if (this.waiting === 0 && (!this.#pacing || this.#startedThisTurn < this.perTurn)) {
      if (this.#pacing) this.#startedThisTurn++;
      start(0);
      return;
    }
    this.#queue.push({ at: this.#now(), start });
    this.#schedulePump();
  }

  /** `run` for work that answers with a promise (a timer's command): settles as `start`'s promise does. */
  runAsync<T>(start: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.run(() => {
        start().then(resolve, reject);
      }),
    );
  }

  /**
   * Check phase, once a turn while pacing: a new turn for the count, and still pacing only if the poll phase before
   * it accepted a connection. Nothing is scheduled per turn when not pacing, so kept-alive load pays nothing.
   */
  readonly #check = (): void => {
    this.#startedThisTurn = 0;
    this.#pacing = this.#accepted;
    this.#accepted = false;
    // Queued from the check phase: runs in the next turn's check phase, after its poll phase.
    if (this.#pacing) setImmediate(this.#check);
  };

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(this.#pump);
  }

  readonly #pump = (): void => {
    this.#pumpScheduled = false;
    const batch = this.#pacing ? this.perTurn : this.waiting;
    for (let n = 0; n < batch && this.waiting > 0; n++) {
      const next = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined;
      try {
        next.start(this.#now() - next.at);
      } catch {
        // A start answers its own errors; one that throws anyway must not strand the requests behind it.
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    // Queued from the check phase, so the next batch runs in the next turn, after its poll phase.
    if (this.waiting > 0) this.#schedulePump();
  };
}
