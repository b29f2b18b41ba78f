import type { AuditLog, AuditEntry } from './admin.ts';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';

/** One showing of a customer's full transcript: who, in which role, through what, of what. */
export interface TranscriptRead {
  actor: string;
  actorRole: AuditEntry['actorRole'];
  /** `api`: GET /api/sessions/:id; `console`: an escalation or a task opened in /console. */
  via: 'api' | 'console';
  sessionId: string;
  escalationId?: string;
  taskId?: string;
}

/** The audit log could not record a full-transcript read, so the full text is not shown (503). */
export class AuditUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super('AUDIT_UNAVAILABLE', '暂时无法记录查阅日志，完整对话内容稍后再看', { status: 503, cause, retryable: true });
  }
}

export interface TranscriptAudit {
  /**
   * Records the read before the text is shown. Throws {@link AuditUnavailableError} when the
   * entry cannot be written in time: the caller must then not show the full text (fail closed).
   */
  record(read: TranscriptRead): Promise<void>;
}

/**
 * Audits every full-transcript read (`transcript.read`, with actor, role, session, escalation or
 * task — never the text), failing closed: no entry, no full text.
 *
 * Repeats are folded: the console refreshes an open transcript every 4 s, and an entry per
 * refresh would put ~900 entries an hour per advisor into a collection FerretDB scans for every
 * list. So one entry stands for the same actor reading the same transcript (through the same
 * escalation or task) for `windowMs` (10 minutes) after it was written, in this process. The log
 * therefore answers "who saw whose transcript, when" to within ten minutes, which is what a
 * privacy review asks of it.
 *
 * @example
 * const reads = createTranscriptAudit({ audit, logger });
 * await reads.record({ actor: 'li', actorRole: 'admin', via: 'api', sessionId });
 */
export function createTranscriptAudit(deps: { audit: Pick<AuditLog, 'record'>; logger: Logger; windowMs?: number; timeoutMs?: number; now?: () => number }): TranscriptAudit {
  const windowMs = deps.windowMs ?? 10 * 60_000;
  const timeoutMs = deps.timeoutMs ?? 2_000;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ module: 'transcript-audit' });
  const recent = new Map<string, number>();

  return {
    async record(read) {
      const key = [read.actor, read.sessionId, read.escalationId ?? '', read.taskId ?? ''].join('\n');
      const at = now();
      const last = recent.get(key);
      if (last !== undefined && at - last < windowMs) return;
      try {
        await withTimeout(
          deps.audit.record({
            actor: read.actor,
            actorRole: read.actorRole,
            action: 'transcript.read',
            note: read.sessionId,
            details: { via: read.via, sessionId: read.sessionId, ...(read.escalationId ? { escalationId: read.escalationId } : {}), ...(read.taskId ? { taskId: read.taskId } : {}) },
          }),
          timeoutMs,
        );
      } catch (error) {
        log.error({ err: error, actor: read.actor, sessionId: read.sessionId }, 'could not audit a transcript read: the full text is withheld');
        throw new AuditUnavailableError(error);
      }
      forgetOld(recent, at - windowMs);
      recent.delete(key);
      recent.set(key, at);
    },
  };
}

function forgetOld(recent: Map<string, number>, before: number): void {
  // Insertion order is time order, so the stale ones are at the front.
  for (const [key, at] of recent) {
    if (at >= before) break;
    recent.delete(key);
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`audit write took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
