import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { currentProcess, isStillRunning, type ProcessIdentity } from './processIdentity.ts';

/**
 * One service per DATA_DIR. Two services on the same directory would run two FerretDBs and two
 * redis-servers on the same files. The lock is a pid file created atomically (written aside, then
 * hard-linked into place, which fails if it exists). A pid file rather than a lock library such as
 * proper-lockfile: that one detects a dead holder by a stale mtime, so a restart after kill -9
 * waits out the staleness period, a blocked event loop "compromises" the lock, and it cannot say
 * who holds it; here a dead holder is seen at once (its pid is gone, or now belongs to a process
 * with another start time) and the refusal names the holder's pid.
 *
 * The file also lists the embedded servers the holder started, so a successor of a holder killed
 * with SIGKILL (which no exit hook survives) stops the orphans still writing to the directory.
 */

const LOCK_FILE = 'huifang.lock';

const identitySchema = z.object({ pid: z.number().int().positive(), startTicks: z.string().nullable() });
const ownerSchema = identitySchema.extend({
  startedAt: z.string(),
  children: z.array(identitySchema.extend({ name: z.string() })).default([]),
});
type Owner = z.infer<typeof ownerSchema>;

/** The directory is held by another running process. */
export class DataDirLockedError extends AppError {
  constructor(dataDir: string, owner: Owner) {
    super(
      'DATA_DIR_LOCKED',
      `DATA_DIR ${dataDir} is in use by another huifang process (pid ${owner.pid}, started ${owner.startedAt}); ` +
        'stop that process, or give this one another DATA_DIR (or MONGODB_URI and REDIS_URL, which need no DATA_DIR)',
      { status: 500, expose: false, context: { dataDir, pid: owner.pid } },
    );
  }
}

/** A held DATA_DIR. */
export interface DataDirLock {
  path: string;
  /** Records an embedded server started under the directory, for a successor to clean up after a crash. */
  recordChild(name: string, who: ProcessIdentity): Promise<void>;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

// Paths held by this process: a lock naming our own pid that is not in here was left by an
// earlier process that had the same pid (a container restart), so it is stale.
const heldHere = new Set<string>();

/**
 * Takes the DATA_DIR lock, or throws DataDirLockedError naming the running holder. A lock left by
 * a process that no longer runs is taken over, and the embedded servers it lists are stopped.
 *
 * @example
 * const lock = await lockDataDir('.data', { log });
 * await lock.recordChild('redis-server', { pid, startTicks });
 * await lock.release();
 */
export async function lockDataDir(dataDir: string, options: { log?: (message: string) => void } = {}): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  const path = resolve(dir, LOCK_FILE);
  await mkdir(dir, { recursive: true });
  const me: Owner = { ...currentProcess(), startedAt: new Date().toISOString(), children: [] };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createExclusively(path, me)) {
      heldHere.add(path);
      return heldLock(path, me);
    }
    const raw = await readFile(path, 'utf8').catch(() => null);
    if (raw === null) continue; // released meanwhile
    const owner = parseOwner(raw);
    if (owner && isHeld(path, owner)) throw new DataDirLockedError(dir, owner);
    options.log?.(`taking over the DATA_DIR lock of pid ${owner?.pid ?? 'unknown'}, which no longer runs`);
    if (await moveAsideIfUnchanged(path, raw)) await stopOrphans(owner?.children ?? [], options.log);
  }
  throw new AppError('DATA_DIR_LOCK_CONTENDED', `Could not take the DATA_DIR lock ${path}: other processes keep taking it`, { status: 500, expose: false });
}

function heldLock(path: string, owner: Owner): DataDirLock {
  // One rewrite at a time, each of the whole owner, so the last one written lists every child.
  let writing = Promise.resolve();
  const rewrite = async () => {
    // Written aside and renamed over, so a reader never sees half a file.
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temp, JSON.stringify(owner));
    await rename(temp, path);
  };
  return {
    path,
    recordChild(name, who) {
      owner.children.push({ name, ...who });
      writing = writing.then(rewrite);
      return writing;
    },
    async release() {
      heldHere.delete(path);
      const raw = await readFile(path, 'utf8').catch(() => null);
      const current = raw === null ? null : parseOwner(raw);
      if (current && current.pid === owner.pid && current.startTicks === owner.startTicks) await unlink(path).catch(() => undefined);
    },
  };
}

/** Writes the owner aside and links it into place: the lock appears whole, or not at all if one exists. */
async function createExclusively(path: string, owner: Owner): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, JSON.stringify(owner));
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

function parseOwner(raw: string): Owner | null {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function isHeld(path: string, owner: Owner): boolean {
  if (owner.pid === process.pid) return heldHere.has(path);
  return isStillRunning(owner);
}

/**
 * Removes a stale lock, unless another process replaced it since it was read: the file is renamed
 * aside (atomic), and put back if what moved is not the stale content. Returns whether it was stale.
 */
async function moveAsideIfUnchanged(path: string, staleRaw: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return false; // someone else removed it first
  }
  const moved = await readFile(aside, 'utf8').catch(() => null);
  const unchanged = moved === staleRaw;
  if (!unchanged) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return unchanged;
}

/** Stops embedded servers a dead holder left running (only those whose pid and start time match). */
async function stopOrphans(children: Owner['children'], log?: (message: string) => void): Promise<void> {
  for (const child of children) {
    if (child.startTicks === null || !isStillRunning(child)) continue;
    log?.(`stopping ${child.name} (pid ${child.pid}) left running by the previous holder`);
    await stopProcess(child);
  }
}

/** SIGTERM, then SIGKILL after 10 s; polls because the process is not our child. */
async function stopProcess(who: ProcessIdentity): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(who.pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (!isStillRunning(who)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  signal('SIGKILL');
  for (let waited = 0; waited < 5_000 && isStillRunning(who); waited += 100) await new Promise((r) => setTimeout(r, 100));
}
