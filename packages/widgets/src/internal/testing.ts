// Test helpers (never bundled: no entry imports this file).

/** Runs `run` with `console[method]` recorded instead of printed; returns the lines it got. */
export async function captureConsole(method: 'info' | 'warn' | 'error', run: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const original = console[method];
  console[method] = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    await run();
  } finally {
    console[method] = original;
  }
  return lines;
}
