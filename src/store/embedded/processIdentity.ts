import { readFileSync } from 'node:fs';

/** A process as recorded on disk: its pid, plus its start time so a reused pid is not mistaken for it. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); null where /proc is missing. */
  startTicks: string | null;
}

/** The start time of `pid` from /proc, or null when the process is gone or /proc is missing. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after its last ")" are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so field 22 (starttime) is fields[19]; a zombie has finished.
    return fields[0] === 'Z' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

/** This process as it would be recorded. */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, startTicks: processStartTicks(process.pid) };
}

/**
 * Whether the process recorded as `who` still runs: the pid exists and, where /proc tells start
 * times, started at the recorded time (otherwise the pid was reused by something else).
 */
export function isStillRunning(who: ProcessIdentity): boolean {
  try {
    process.kill(who.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Recorded without /proc: the pid is all we know.
  if (who.startTicks === null) return true;
  return processStartTicks(who.pid) === who.startTicks;
}
