/** Runs `run` with console.error recorded instead of printed (expected errors stay out of the test report). */
export async function captureErrors(run: () => unknown): Promise<unknown[][]> {
  const calls: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => calls.push(args);
  try {
    await run();
  } finally {
    console.error = original;
  }
  return calls;
}
