/**
 * Sends the rows of concurrent callers to the database together: up to `batchSize` rows a call,
 * `writers` calls in flight. One round trip and one commit carry many callers' work, which is
 * what lets a hot row take thousands of changes a second. A caller's rows are never split across
 * calls; if a call fails as a whole, each caller's rows are sent again on their own, so only the
 * caller whose rows broke it sees the error.
 */
export class Batcher<Row, Outcome> {
  readonly #apply: (rows: Row[]) => Promise<Outcome[]>;
  readonly #writers: number;
  readonly #batchSize: number;
  #queue: QueuedCall<Row, Outcome>[] = [];
  #inFlight = 0;

  /** `apply` sends rows in one call and returns one outcome per row, in order. */
  constructor(apply: (rows: Row[]) => Promise<Outcome[]>, { writers, batchSize }: { writers: number; batchSize: number }) {
    this.#apply = apply;
    this.#writers = writers;
    this.#batchSize = batchSize;
  }

  submit(rows: Row[]): Promise<Outcome[]> {
    if (rows.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ rows, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#writers && this.#queue.length > 0) {
      const calls: QueuedCall<Row, Outcome>[] = [];
      let size = 0;
      while (this.#queue.length > 0 && (calls.length === 0 || size + this.#queue[0]!.rows.length <= this.#batchSize)) {
        const call = this.#queue.shift()!;
        calls.push(call);
        size += call.rows.length;
      }
      this.#inFlight += 1;
      void this.#send(calls, () => {
        this.#inFlight -= 1;
        this.#pump();
      });
    }
  }

  /** Sends `calls` in one call of `apply`, then `done()`: before the callers are resolved, so the next batch is on its way while they run on. */
  async #send(calls: QueuedCall<Row, Outcome>[], done: () => void): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.#apply(calls.flatMap((call) => call.rows));
    } catch (error) {
      // The writer stays taken while each call is sent again on its own.
      if (calls.length === 1) calls[0]!.reject(error);
      else await Promise.all(calls.map((call) => this.#send([call], () => {})));
      done();
      return;
    }
    done();
    let start = 0;
    for (const call of calls) {
      call.resolve(outcomes.slice(start, start + call.rows.length));
      start += call.rows.length;
    }
  }
}

interface QueuedCall<Row, Outcome> {
  rows: Row[];
  resolve(outcomes: Outcome[]): void;
  reject(error: unknown): void;
}
