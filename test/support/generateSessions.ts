import { stepsAskedIn, type SessionStatus, type SessionWithTranscript, type TranscriptEntry } from '../../src/core/sessions.ts';

/**
 * Deterministic survey sessions on the shipped `nps-default` flow (v1) for analytics tests and
 * the benchmark: every outcome (completed, expired half-way, opted out, with an advisor, still
 * going), skipped answers, reasons with sentiment and topics, timing and products, campaigns,
 * stores and scenes, spread over `days` days before `end`.
 */
export interface GenerateOptions {
  count: number;
  seed?: number;
  /** The last day's end; sessions start up to `days` days before. */
  end: Date;
  days: number;
  /** First 8 hex digits of every id, so several batches never collide. */
  idPrefix?: string;
  flowVersion?: number;
}

/** Catalogue ids of nps-default with the words customers use for them. */
const PRODUCTS: Array<[string, string]> = [
  ['thermage', '热玛吉'],
  ['hydra', '水光针'],
  ['facial', '做脸'],
  ['botox', '瘦脸针'],
  ['picosecond', '皮秒'],
  ['body', '身体护理'],
];
const CAMPAIGNS = ['spring2026', 'vip', undefined];
const STORES = ['徐汇店', '静安店', '浦东店', undefined];
const SCENES = ['sms', 'qr', undefined];
/** [text, bucket, days from the answer to the window's start the analyser dated, if it did] */
const TIMING: Array<[string, string, number | null]> = [
  ['下个月', 'within_1_month', 12],
  ['两三个月后', '1_3_months', null],
  ['两个月后', '1_3_months', 61],
  ['半年内吧', '3_6_months', null],
  ['明年', '6_12_months', 200],
  ['还没想好', 'undecided', null],
];
type Reason = [text: string, label: 'positive' | 'neutral' | 'negative', confidence: number, topics: string[], products?: string[], factors?: string[], timing?: [string, number | null]];
const REASONS: Record<'promoter' | 'passive' | 'detractor', Reason[]> = {
  promoter: [
    ['顾问很专业，服务态度也好', 'positive', 0.9, ['专业度', '服务态度'], [], ['advisor']],
    ['环境干净舒服', 'positive', 0.85, ['环境']],
    ['热玛吉效果很好，下次还来', 'positive', 0.9, ['效果'], ['thermage'], ['effect']],
    ['水光针做完皮肤很好，下个月还来', 'positive', 0.9, ['效果'], ['hydra'], ['effect'], ['within_1_month', null]],
    ['都挺好的', 'positive', 0.7, []],
  ],
  passive: [
    ['等待时间有点长', 'negative', 0.8, ['等待时间'], [], ['convenience']],
    ['价格再便宜点就好了，想做热玛吉', 'negative', 0.8, ['价格'], ['thermage'], ['price']],
    ['还行吧', 'neutral', 0.6, []],
  ],
  detractor: [
    ['等了一个小时，太差了', 'negative', 0.95, ['等待时间'], [], ['convenience']],
    ['态度很差，再也不来了', 'negative', 0.95, ['服务态度'], [], ['advisor'], ['never', null]],
    ['价格太贵，效果一般', 'negative', 0.9, ['价格', '效果'], [], ['price', 'effect']],
  ],
};

/** A small fast PRNG (mulberry32), so the same seed gives the same sessions. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateSessions(options: GenerateOptions): SessionWithTranscript[] {
  const rnd = random(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const prefix = (options.idPrefix ?? 'a0a0a0a0').slice(0, 8).padEnd(8, '0');
  const out: SessionWithTranscript[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = `${prefix}${i.toString(16).padStart(16, '0')}`;
    const created = new Date(options.end.getTime() - rnd() * options.days * 86_400_000);
    out.push(oneSession(id, i, created, rnd, pick, options.flowVersion ?? 1));
  }
  return out;
}

function oneSession(id: string, i: number, created: Date, rnd: () => number, pick: <T>(l: readonly T[]) => T, flowVersion: number): SessionWithTranscript {
  let clock = created.getTime();
  const tick = () => new Date((clock += 20_000 + Math.floor(rnd() * 100_000)));
  const answers: Record<string, unknown> = {};
  const analysis: Record<string, unknown> = {};
  const transcript: TranscriptEntry[] = [];
  const roll = rnd();
  const outcome: SessionStatus = roll < 0.78 ? 'completed' : roll < 0.86 ? 'expired' : roll < 0.9 ? 'opted_out' : roll < 0.95 ? 'escalated' : 'active';
  // Where a session that does not complete stops: after this many answers.
  const stopAfter = outcome === 'completed' ? 99 : Math.floor(rnd() * 7);
  let answeredCount = 0;

  const ask = (stepId: string) => transcript.push({ direction: 'out', author: 'bot', text: `问题 ${stepId}`, at: tick(), stepId, delivery: 'sent', messageId: `${id}-${stepId}` });
  const answer = (stepId: string, kind: string, value: unknown, raw: string, extra: Record<string, unknown> = {}): boolean => {
    if (answeredCount >= stopAfter) return false;
    ask(stepId);
    const at = tick();
    transcript.push({ direction: 'in', author: 'customer', text: raw, at, messageId: `${id}-in-${stepId}` });
    const missing = rnd() < 0.03;
    answers[stepId] = missing ? { kind, value: null, raw: '嗯嗯', missing: true, at: at.toISOString() } : { kind, value, raw, at: at.toISOString(), ...extra };
    answeredCount++;
    return true;
  };

  const dayPlus = (at: string, days: number) => new Date(Date.parse(at) + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
  const timingOf = (bucket: string, days: number | null, at: string) => ({ bucket, from: days === null ? null : dayPlus(at, days), to: null });
  const lastAt = () => (answers[Object.keys(answers).at(-1)!] as { at: string }).at;
  // Reasons keep products and factors in the analysis only (as steps whose `extract` leaves them
  // out do), sentiment and topics also with the answer.
  const reason = (stepId: string, [text, label, confidence, topics, products = [], factors = [], timing]: Reason): boolean => {
    const done = answer(stepId, 'text', text, text, { extracted: { sentiment: { label, confidence }, topics } });
    if (done && answers[stepId] && !(answers[stepId] as { missing?: boolean }).missing) {
      analysis[stepId] = { intent: 'answer', score: null, sentiment: { label, confidence }, topics, timing: timing ? timingOf(timing[0], timing[1], lastAt()) : null, products, factors, openInterest: false, choices: null, source: {} };
      if (timing) (answers[stepId] as { extracted: Record<string, unknown> }).extracted.timing = timingOf(timing[0], timing[1], lastAt());
    }
    return done;
  };

  const score = Math.min(10, Math.max(0, Math.round(rnd() < 0.15 ? rnd() * 6 : 6 + rnd() * 4.6)));
  const group = score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
  let done = answer('nps', 'nps', score, `${score}分`);
  if (done) done = reason(`reason_${group}`, pick(REASONS[group]));
  for (const [step, touchpoint] of [['csat_booking', '预约流程'], ['csat_advisor', '顾问沟通'], ['csat_result', '服务效果']] as const) {
    if (!done) break;
    const v = Math.min(5, Math.max(1, Math.round(2.5 + rnd() * 3 - (group === 'detractor' ? 1 : 0))));
    done = answer(step, 'csat', v, String(v), { touchpoint });
  }
  const intent = Math.min(5, Math.max(0, Math.round(group === 'promoter' ? 3 + rnd() * 2 : group === 'passive' ? 1.5 + rnd() * 3 : rnd() * 3)));
  if (done) done = answer('intent', 'repurchase', intent, `${intent}`);
  if (done && intent >= 3) {
    const [when, bucket, days] = pick(TIMING);
    // Some name what they will come for along with when.
    const along = rnd() < 0.3 ? pick(PRODUCTS) : undefined;
    const raw = along ? `${when}来做${along[1]}` : when;
    done = answer('timing', 'text', raw, raw, { extracted: { products: along ? [along[0]] : [] } });
    if (done && !(answers.timing as { missing?: boolean }).missing) (answers.timing as { extracted: Record<string, unknown> }).extracted.timing = timingOf(bucket, days, lastAt());
    if (done) {
      const roll = rnd();
      const named = roll < 0.45 ? [pick(PRODUCTS)] : roll < 0.65 ? [pick(PRODUCTS), pick(PRODUCTS)] : [];
      const ids = [...new Set(named.map(([id]) => id))];
      const open = roll >= 0.65 && roll < 0.75;
      const price = rnd() < 0.3;
      const raw2 = ids.length ? `想试试${named.map(([, w]) => w).join('和')}${price ? '，看价格' : ''}` : open ? '都行' : '暂时没有';
      answer('products', 'text', raw2, raw2, { extracted: { products: ids, openInterest: open, factors: price && ids.length ? ['price'] : [] } });
    }
  } else if (done) {
    reason('change_mind', pick(REASONS.detractor));
  }
  // A session that stops was asked its next question and never answered it.
  const next = ['nps', `reason_${group}`, 'csat_booking', 'csat_advisor', 'csat_result', 'intent'][answeredCount];
  if (outcome !== 'completed' && next) ask(next);

  const updatedAt = tick();
  const flagged = group === 'detractor' && (outcome === 'escalated' || rnd() < 0.5);
  const customerFields: Record<string, string> = { nickname: `顾客${i}` };
  const campaign = pick(CAMPAIGNS);
  const store = pick(STORES);
  const scene = pick(SCENES);
  if (campaign) customerFields.campaign = campaign;
  if (store) customerFields.store = store;
  if (scene) customerFields.scene = scene;
  const customerId = `wm_gen_${i}`;
  return {
    id,
    conversation: { channel: 'wecom-kf', accountId: 'wk_gen', customerId },
    conversationKey: `wecom-kf:wk_gen:${customerId}`,
    flowId: 'nps-default',
    flowVersion,
    status: outcome,
    answers,
    analysis,
    askedSteps: stepsAskedIn(transcript),
    transcript,
    transcriptLength: transcript.length,
    snapshot: '{}',
    awaiting: null,
    outbox: [],
    handledMessageIds: [],
    rev: answeredCount,
    ...(campaign ? { campaign } : {}),
    customerFields,
    ...(flagged ? { escalation: { trigger: 'detractor', reason: `NPS ${score} 分（贬损者）`, at: created } } : {}),
    llmUsage: { promptTokens: 0, completionTokens: 0, calls: 0 },
    createdAt: created,
    updatedAt,
    ...(outcome === 'completed' ? { completedAt: updatedAt } : {}),
  };
}

/**
 * A generated session as stored in `surveysessions`, with its transcript inside the document as
 * sessions stored before transcripts had their own collection keep it (read through the same API).
 */
export function toSessionDoc(s: SessionWithTranscript, toObjectId: (hex: string) => unknown): Record<string, unknown> {
  return {
    _id: toObjectId(s.id),
    conversationKey: s.conversationKey,
    channel: s.conversation.channel,
    accountId: s.conversation.accountId,
    customerId: s.conversation.customerId,
    flowId: s.flowId,
    flowVersion: s.flowVersion,
    status: s.status,
    answers: s.answers,
    analysis: s.analysis,
    askedSteps: s.askedSteps,
    transcript: s.transcript,
    transcriptLength: s.transcriptLength,
    snapshot: s.snapshot,
    awaiting: 'null',
    outbox: '[]',
    handledMessageIds: s.handledMessageIds,
    rev: s.rev,
    ...(s.campaign ? { campaign: s.campaign } : {}),
    customerFields: s.customerFields,
    ...(s.escalation ? { escalation: s.escalation } : {}),
    llmUsage: s.llmUsage,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    ...(s.completedAt ? { completedAt: s.completedAt } : {}),
  };
}
