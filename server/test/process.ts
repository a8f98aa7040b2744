// Runs one of the server's entry points as its own process, as npm scripts do.
import { spawn, type ChildProcess } from 'node:child_process';
import { after } from 'node:test';

/**
 * Processes started and not yet exited. A test that fails before it stops its server would leave
 * the process running, and the test file waiting on it for ever: they are killed when the file's
 * tests are done.
 */
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Running {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved. */
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `script` with tsx, with the embedded database (DATABASE_URL removed) and `env` on top. */
export function startScript(script: string, env: Record<string, string>): Running {
  const { DATABASE_URL: _embeddedOnly, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk));
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => text, exited };
}

/** The port the server process prints when it listens (it is started with PORT=0). */
export async function listeningPort(running: Running): Promise<number> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    const match = /listening on port (\d+)/.exec(running.output());
    if (match) return Number(match[1]);
    if (running.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server did not start:\n${running.output()}`);
}
