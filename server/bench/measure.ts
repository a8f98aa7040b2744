// Measuring a benchmark cell: N client loops calling an operation for a warm-up and a measured
// window; shared by bench:ledger and bench:api.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MeasureOptions {
  warmupMs: number;
  durationMs: number;
  /** True once the run is interrupted (Ctrl-C): the loops stop early. */
  stopped: () => boolean;
  /** Another process whose CPU to count over the measured window (the server of bench:api). */
  watchPid?: number;
}

export interface Cell {
  clients: number;
  /** Successful calls per second in the measured window. */
  rate: number;
  p50: number;
  p99: number;
  /** What was not `ok` (results and exceptions), warm-up included. */
  errors: Map<string, number>;
  /** Database calls the Ledger made per second (its batches), when counted. */
  callsPerSecond: number | undefined;
  /** CPU time of this Node process / elapsed, in cores. */
  nodeCpu: number;
  /** Busy share of all the machine's cores (from /proc/stat), when available. */
  machineCpu: number | undefined;
  /** CPU time of the process `watchPid` / elapsed, in cores, when one was given. */
  watchedCpu: number | undefined;
}

/**
 * Runs `clients` loops, each calling `operation` and awaiting it before the next call. Every call
 * that succeeds inside the measured window counts for the rate, and its latency (call to result)
 * for the percentiles; the others are counted in `errors`. `operation` is called with its loop's
 * number (0 to `clients` − 1) and returns undefined for success, or what went wrong.
 */
export async function measure(
  clients: number,
  operation: (loop: number) => Promise<string | undefined>,
  { warmupMs, durationMs, stopped, watchPid }: MeasureOptions,
  countCalls?: () => number,
): Promise<Cell> {
  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  let latencies: number[] = [];
  const errors = new Map<string, number>();
  const loops = Array.from({ length: clients }, async (_, loop) => {
    while (phase !== 'stop' && !stopped()) {
      const start = performance.now();
      let failure: string | undefined;
      try {
        failure = await operation(loop);
      } catch (error) {
        failure = `exception: ${error instanceof Error ? error.message : String(error)}`;
      }
      const end = performance.now();
      if (failure !== undefined) {
        // A few kinds, counted: messages naming ids would otherwise each make a line.
        const kind = errors.has(failure) || errors.size < maxErrorKinds ? failure : 'other errors';
        errors.set(kind, (errors.get(kind) ?? 0) + 1);
      }
      if (phase === 'measure' && failure === undefined) latencies.push(end - start);
    }
  });
  await sleep(warmupMs);
  const calls0 = countCalls?.();
  const cpu0 = process.cpuUsage();
  const machine0 = machineTicks();
  const watched0 = watchPid === undefined ? undefined : processCpuSeconds(watchPid);
  const start = performance.now();
  phase = 'measure';
  await sleep(durationMs);
  phase = 'stop';
  const elapsed = performance.now() - start;
  const measured = latencies;
  latencies = [];
  const cpu = process.cpuUsage(cpu0);
  const machine1 = machineTicks();
  const watched1 = watchPid === undefined ? undefined : processCpuSeconds(watchPid);
  const watched = watched0 === undefined || watched1 === undefined ? undefined : watched1 - watched0;
  const calls1 = countCalls?.();
  await Promise.all(loops);

  const sorted = Float64Array.from(measured).sort();
  return {
    clients,
    rate: (sorted.length / elapsed) * 1000,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors,
    callsPerSecond: calls0 !== undefined && calls1 !== undefined ? ((calls1 - calls0) / elapsed) * 1000 : undefined,
    nodeCpu: (cpu.user + cpu.system) / 1000 / elapsed,
    machineCpu: machineShare(machine0, machine1),
    watchedCpu: watched === undefined ? undefined : (watched / elapsed) * 1000,
  };
}

const maxErrorKinds = 10;

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** All CPUs' busy and total jiffies, Linux only. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** The busy share of all CPUs between two readings of {@link machineTicks}. */
export function machineShare(
  before: { busy: number; total: number } | undefined,
  after: { busy: number; total: number } | undefined,
): number | undefined {
  return before !== undefined && after !== undefined && after.total > before.total
    ? (after.busy - before.busy) / (after.total - before.total)
    : undefined;
}

/** CPU seconds (user + system) another process has used so far; undefined off Linux, or once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
