import type { AuditLog, Principal } from '../core/admin.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { LockService } from '../core/ports.ts';
import type { CustomerCacheStore, CustomerDataRepository, RetentionPolicy, RetentionSettingsStore } from '../core/privacy.ts';

export type { RetentionPolicy };

/** The policy in force and where it comes from: the environment, or the admin page (who, when). */
export type EffectivePolicy = RetentionPolicy & { source: 'env' | 'admin'; updatedBy?: string; updatedAt?: string };

const DAY_MS = 86_400_000;
/** Sessions redacted per round: each round is one query (a scan on FerretDB), then writes by `_id`. */
const BATCH = 200;

export interface SweepReport {
  dryRun: boolean;
  policy: EffectivePolicy;
  /** Sessions started before these are due (handed-over ones: `escalationCutoff`). */
  cutoff: string;
  escalationCutoff: string;
  /** Closed sessions past their retention still holding words or identity (found, or with dryRun: counted). */
  due: number;
  redacted: number;
  /** False when the round limit stopped the sweep; the next run resumes where it stopped. */
  complete: boolean;
}

/**
 * The retention sweep (FerretDB has no TTL indexes): redacts closed sessions past their
 * retention the way an erasure does (numbers stay, words and identity go, so analytics does not
 * change), in rounds of `batchSize`. Each round asks only for sessions that are due and not yet
 * redacted, and every redacted session is marked: the marks are the sweep's cursor, so it is
 * idempotent and a sweep cut short (crash, restart, `maxRounds`) resumes by simply running again,
 * in any process. A dry run counts what is due without writing.
 *
 * @example
 * const retention = createRetention({ repo, cache, audit, locks, settings, defaults: { days: 365, escalationDays: 1095 }, logger });
 * await retention.sweep({ dryRun: true }); // { due: 42, ... }
 */
export function createRetention(deps: {
  repo: CustomerDataRepository;
  cache: CustomerCacheStore;
  audit: AuditLog;
  locks: LockService;
  /** RETENTION_DAYS / ESCALATION_RETENTION_DAYS: in force until an admin sets the policy. */
  defaults: RetentionPolicy;
  settings: RetentionSettingsStore;
  /** Asked after a sweep that redacted something to rewrite the stores' files (debounced). */
  diskScrub?: { request(): void };
  logger: Logger;
  now?: () => Date;
}) {
  const clock = deps.now ?? (() => new Date());
  const log = deps.logger.child({ module: 'retention' });

  async function effectivePolicy(): Promise<EffectivePolicy> {
    const set = await deps.settings.get();
    if (!set) return { ...deps.defaults, source: 'env' };
    return { days: set.days, escalationDays: set.escalationDays, source: 'admin', updatedBy: set.updatedBy, updatedAt: set.updatedAt.toISOString() };
  }

  async function run(options: { dryRun: boolean; now: Date; maxRounds: number; batchSize: number }): Promise<SweepReport> {
    // Read once per sweep: the hourly run picks up a change made on the admin page.
    const policy = await effectivePolicy();
    const cutoff = new Date(options.now.getTime() - policy.days * DAY_MS);
    const escalationCutoff = new Date(options.now.getTime() - policy.escalationDays * DAY_MS);
    const report: SweepReport = { dryRun: options.dryRun, policy, cutoff: cutoff.toISOString(), escalationCutoff: escalationCutoff.toISOString(), due: 0, redacted: 0, complete: false };
    if (options.dryRun) {
      report.due = await deps.repo.retentionDue({ cutoff, escalationCutoff });
      report.complete = true;
      return report;
    }
    for (let round = 0; round < options.maxRounds; round++) {
      const batch = await deps.repo.retentionBatch({ limit: options.batchSize, cutoff, escalationCutoff });
      report.due += batch.due;
      report.redacted += batch.redacted;
      for (const session of batch.sessions) await deps.cache.forgetSession(session);
      if (!batch.more) {
        report.complete = true;
        break;
      }
    }
    return report;
  }

  const retention = {
    policy: effectivePolicy,
    /**
     * The hourly run: every process has one, and the lock lets one sweep while the others, finding
     * it taken, skip this round quietly (null) instead of logging a failure.
     */
    async sweepUnlessBusy(): Promise<SweepReport | null> {
      try {
        return await retention.sweep();
      } catch (error) {
        if (error instanceof AppError && error.code === 'LOCK_TIMEOUT') return null;
        throw error;
      }
    },
    /** Sets the policy from the admin page (audited); the next sweep uses it. */
    async setPolicy(next: RetentionPolicy, actor: Principal): Promise<EffectivePolicy> {
      const before = await effectivePolicy();
      await deps.settings.set(next, actor.name, clock());
      await deps.audit.record({
        actor: actor.name,
        actorRole: actor.role,
        action: 'retention.changed',
        details: { from: { days: before.days, escalationDays: before.escalationDays }, to: next },
      });
      return effectivePolicy();
    },
    /**
     * One sweep, at most `maxRounds` rounds of `batchSize` (200) sessions (default: to the end). Only one
     * process sweeps at a time; a real sweep that redacted something is audited with its counts.
     */
    async sweep(options: { dryRun?: boolean; now?: Date; maxRounds?: number; batchSize?: number } = {}): Promise<SweepReport> {
      const dryRun = options.dryRun ?? false;
      const settings = { dryRun, now: options.now ?? clock(), maxRounds: options.maxRounds ?? Number.MAX_SAFE_INTEGER, batchSize: options.batchSize ?? BATCH };
      if (dryRun) return run(settings);
      const report = await deps.locks.withLock('privacy:retention', () => run(settings), { ttlMs: 120_000, waitMs: 1_000 });
      if (report.redacted > 0) {
        await deps.audit.record({
          actor: 'system',
          actorRole: 'system',
          action: 'retention.swept',
          details: { redacted: report.redacted, cutoff: report.cutoff, escalationCutoff: report.escalationCutoff, complete: report.complete },
        });
        log.info({ redacted: report.redacted, complete: report.complete }, 'retention sweep redacted sessions');
        deps.diskScrub?.request();
      }
      return report;
    },
  };
  return retention;
}
export type Retention = ReturnType<typeof createRetention>;
