/** Something a server does periodically in the background until stopped. */
export interface Periodic {
  /** No new run starts; resolves once the run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs`, the next run starting `intervalMs` after the last one ended, so
 * runs never overlap; the first after `firstAfterMs`. A failed run is logged under `name` and the
 * next one runs as planned. The timer does not keep the process alive.
 */
export function every(name: string, intervalMs: number, run: () => Promise<unknown>, firstAfterMs = intervalMs): Periodic {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const schedule = (delayMs = intervalMs) => setTimeout(tick, delayMs).unref();
  const tick = () => {
    running = run()
      .catch((error: unknown) => console.error(`${name}:`, error))
      .finally(() => {
        if (!stopped) timer = schedule();
      });
  };
  let timer = schedule(firstAfterMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
