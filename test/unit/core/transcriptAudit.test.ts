import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../../src/core/admin.ts';
import { AuditUnavailableError, createTranscriptAudit } from '../../../src/core/transcriptAudit.ts';

const logger = pino({ level: 'silent' });

function memoryAudit(behaviour: 'ok' | 'fail' | 'hang' = 'ok') {
  const entries: Array<Omit<AuditEntry, 'id' | 'at'>> = [];
  const audit: Pick<AuditLog, 'record'> = {
    record(entry) {
      if (behaviour === 'fail') return Promise.reject(new Error('MongoServerSelectionError'));
      if (behaviour === 'hang') return new Promise(() => undefined);
      entries.push(entry);
      return Promise.resolve({ ...entry, id: String(entries.length), at: new Date() });
    },
  };
  return { audit, entries };
}

describe('createTranscriptAudit', () => {
  it('writes who read which transcript, and never the text', async () => {
    const { audit, entries } = memoryAudit();
    await createTranscriptAudit({ audit, logger }).record({ actor: 'li', actorRole: 'advisor', via: 'console', sessionId: 's1', escalationId: 'e1' });
    expect(entries).toEqual([{ actor: 'li', actorRole: 'advisor', action: 'transcript.read', note: 's1', details: { via: 'console', sessionId: 's1', escalationId: 'e1' } }]);
  });

  it('folds the console refreshing one transcript into one entry per actor and 10 minutes', async () => {
    const { audit, entries } = memoryAudit();
    let now = 0;
    const reads = createTranscriptAudit({ audit, logger, now: () => now });
    const read = { actor: 'li', actorRole: 'advisor' as const, via: 'console' as const, sessionId: 's1', escalationId: 'e1' };
    for (; now < 600_000; now += 4_000) await reads.record(read);
    expect(entries).toHaveLength(1);
    await reads.record(read); // 10 minutes after the first entry: a new one
    await reads.record({ ...read, actor: 'zhou' }); // someone else: their own entry
    await reads.record({ ...read, escalationId: undefined, taskId: 't1' }); // through a task: its own entry
    expect(entries.map((e) => `${e.actor}:${String(e.details?.escalationId ?? e.details?.taskId)}`)).toEqual(['li:e1', 'li:e1', 'zhou:e1', 'li:t1']);
  });

  it('fails closed when the entry cannot be written, and tries again on the next read', async () => {
    const failing = createTranscriptAudit({ audit: memoryAudit('fail').audit, logger });
    await expect(failing.record({ actor: 'li', actorRole: 'admin', via: 'api', sessionId: 's1' })).rejects.toBeInstanceOf(AuditUnavailableError);
    await expect(failing.record({ actor: 'li', actorRole: 'admin', via: 'api', sessionId: 's1' })).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE', status: 503 });
  });

  it('does not let a hanging audit write hold the request longer than its timeout', async () => {
    const hanging = createTranscriptAudit({ audit: memoryAudit('hang').audit, logger, timeoutMs: 50 });
    const started = Date.now();
    await expect(hanging.record({ actor: 'li', actorRole: 'admin', via: 'api', sessionId: 's1' })).rejects.toBeInstanceOf(AuditUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
