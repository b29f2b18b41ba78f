import { Types, type Connection } from 'mongoose';

// Completed sessions shaped like the ones the default flow stores (answers, analysis, snapshot
// text, two transcript chunks, the customer's pointer), written in batches. The point is the
// collections' size, so every turn measured afterwards runs against a store that has seen months
// of traffic.

const AT = new Date('2026-06-01T02:00:00Z');
const SNAPSHOT = JSON.stringify({ flowId: 'nps-default', flowVersion: 1, snapshotVersion: 1, machine: { status: 'done', value: { survey: 'thanks' }, context: { pad: 'x'.repeat(600) } } });

function answer(kind: string, value: number | string, raw: string, extra: Record<string, unknown> = {}) {
  return { kind, value, raw, at: AT.toISOString(), ...extra };
}

function sessionDoc(i: number, id: Types.ObjectId, key: string) {
  const score = i % 11;
  return {
    _id: id,
    conversationKey: key,
    channel: 'wecom-kf',
    accountId: 'wkSEED',
    customerId: `wm_seed_${i}`,
    flowId: 'nps-default',
    flowVersion: 1,
    status: 'completed',
    answers: {
      nps: answer('nps', score, `${score}分`),
      reason_promoter: answer('text', '顾问很专业，环境也好', '顾问很专业，环境也好', { extracted: { sentiment: { label: 'positive', confidence: 0.9 }, topics: ['服务态度', '环境'] } }),
      csat_booking: answer('csat', 1 + (i % 5), String(1 + (i % 5)), { touchpoint: '预约流程' }),
      csat_advisor: answer('csat', 1 + ((i + 1) % 5), String(1 + ((i + 1) % 5)), { touchpoint: '顾问沟通' }),
      csat_result: answer('csat', 1 + ((i + 2) % 5), String(1 + ((i + 2) % 5)), { touchpoint: '服务效果' }),
      repurchase: answer('repurchase', i % 6, String(i % 6)),
    },
    analysis: { reason_promoter: { intent: 'answer', sentiment: { label: 'positive', confidence: 0.9 }, topics: ['服务态度'], source: {} } },
    snapshot: SNAPSHOT,
    awaiting: 'null',
    outbox: '[]',
    handledMessageIds: Array.from({ length: 9 }, (_, n) => `seed_${i}_${n}`),
    askedSteps: ['nps', 'reason_promoter', 'csat_booking', 'csat_advisor', 'csat_result', 'repurchase', 'repurchase_when', 'repurchase_what'],
    transcriptLength: 18,
    lastBotText: '感谢您的反馈！',
    rev: 9,
    customerFields: {},
    llmUsage: { promptTokens: 0, completionTokens: 0, calls: 0 },
    createdAt: AT,
    updatedAt: AT,
    completedAt: AT,
  };
}

function chunkDocs(sessionId: string) {
  return [0, 1].map((chunk) => ({
    _id: `${sessionId}:${chunk}`,
    sessionId,
    chunk,
    entries: Object.fromEntries(
      Array.from({ length: chunk === 0 ? 16 : 2 }, (_, n) => {
        const seq = chunk * 16 + n;
        return [String(seq), { direction: seq % 2 ? 'out' : 'in', author: seq % 2 ? 'bot' : 'customer', text: seq % 2 ? '好的，谢谢您！下一个问题…' : '还不错', at: AT, seq }];
      }),
    ),
  }));
}

/** Inserts `count` completed sessions (ids `wm_seed_<n>`); returns the seconds it took. */
export async function seedSessions(conn: Connection, count: number, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  const batch = 1000;
  for (let from = 0; from < count; from += batch) {
    const sessions = [];
    const customers = [];
    const chunks = [];
    for (let i = from; i < Math.min(count, from + batch); i++) {
      const id = new Types.ObjectId();
      const key = `wecom-kf:wkSEED:wm_seed_${i}`;
      sessions.push(sessionDoc(i, id, key));
      customers.push({ _id: key, conversationKey: key, channel: 'wecom-kf', accountId: 'wkSEED', customerId: `wm_seed_${i}`, optedOut: false, latestSessionId: String(id), createdAt: AT, updatedAt: AT });
      chunks.push(...chunkDocs(String(id)));
    }
    await Promise.all([
      conn.collection('surveysessions').insertMany(sessions, { ordered: false }),
      conn.collection('customers').insertMany(customers as never[], { ordered: false }),
      conn.collection('transcripts').insertMany(chunks as never[], { ordered: false }),
    ]);
    if ((from / batch) % 10 === 9) log(`  seeded ${from + batch} sessions (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  return (performance.now() - started) / 1000;
}
