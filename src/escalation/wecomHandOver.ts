import type { TurnOutcome } from '../conversation/conversationService.ts';
import { AppError } from '../core/errors.ts';
import type { EscalationChanges, EscalationRecord } from '../core/escalations.ts';
import type { SessionRecord, TranscriptEntry } from '../core/sessions.ts';
import { DEFAULT_NOTICE, type EscalationContext } from './escalationTypes.ts';
import { readSessionFacts } from './summarizeSession.ts';
import type { WecomSessionState } from './wecomStateReader.ts';

/** The hand-over job: where the chat went, and the one-message code WeCom gave for it. */
interface Placement {
  changes: EscalationChanges;
  detail: string;
  code?: string;
}

/**
 * WeCom hand-over: moves the WeCom session to a person (`service_state/trans` to 3, round-robin
 * over the flow's advisors, trying the next when WeCom refuses one) or to the queue (2), makes
 * sure the customer was told, then has advisors notified (`queueFirstNotice`).
 */
export function createWecomHandOver(ctx: EscalationContext, notices: { queueFirstNotice(escalationId: string): Promise<void> }) {
  const { deps, log, action, clock } = ctx;

  async function handOverInWecom(escalationId: string, notice: TurnOutcome['notice']): Promise<void> {
    const e = await deps.escalations.findById(escalationId);
    if (!e || e.status === 'resolved') return;
    if (e.handover !== 'pending') {
      // Placing the chat and queueing the advisors' notice are two writes: a run that died between
      // them (its job then runs again) must still tell them. The notice's job id and
      // `notifiedRounds` keep it to one.
      if (e.handover !== 'waiting_reason' && e.notifiedRounds === 0) await notices.queueFirstNotice(e.id);
      return;
    }
    ctx.wecomState.forget(e.id);
    const now = clock();
    const session = await deps.sessions.findById(e.sessionId);
    const transcript = session ? await deps.sessions.transcript(session) : [];
    const facts = session ? readSessionFacts(session, transcript) : undefined;
    const changes: EscalationChanges = {
      handedOverAt: now,
      ...(facts?.customerWords ? { customerWords: facts.customerWords } : {}),
      ...(facts?.score !== undefined ? { score: facts.score } : {}),
    };
    let current: WecomSessionState;
    try {
      current = await deps.channel.serviceState(e.conversation);
    } catch (error) {
      if (!(error instanceof AppError && error.status < 500)) throw error;
      // Not a kf conversation (e.g. a member writing to the app): nothing to transfer.
      await deps.escalations.update(e.id, { ...changes, handover: 'skipped' }, action('system', 'handover_skipped', '非微信客服会话，无需转接'));
      await notices.queueFirstNotice(e.id);
      return;
    }
    const placed = await place(e, current);
    Object.assign(changes, placed.changes);
    if (changes.servicerId) Object.assign(changes, { status: 'assigned', assignedTo: await ctx.actorForServicer(changes.servicerId), assignedAt: now });
    if (placed.code) changes.eventCode = { code: placed.code, state: changes.wecomState ?? 2, issuedAt: now, used: false };
    const saved = await deps.escalations.update(e.id, changes, action('system', 'handed_over', placed.detail), { handover: ['pending'] });
    if (!saved) return;
    log.info({ escalationId: e.id, handover: saved.handover, servicerId: saved.servicerId }, 'handed over in WeCom');
    // Advisors are told before anything else can fail: a retry of this job stops at the check above.
    await notices.queueFirstNotice(e.id);
    // The turn could not tell the customer (send budget, or no turn at all): the transfer's code
    // can; not when its send may have arrived after all, which would say it twice.
    const noticeText = notice?.text ?? DEFAULT_NOTICE;
    if (!toldAlready(e, transcript, notice, noticeText) && !notice?.uncertain && placed.code && session) await tellThroughCode(e, session, placed.code, noticeText);
  }

  /** Where the chat goes given its WeCom state: left with its servicer, ended, a person, or the queue. */
  async function place(e: EscalationRecord, current: WecomSessionState): Promise<Placement> {
    if (current.state === 3 && current.servicerId) {
      return { changes: { handover: 'person', wecomState: 3, servicerId: current.servicerId }, detail: `已由 ${current.servicerId} 在企业微信中接待` };
    }
    if (current.state === 4) return { changes: { handover: 'ended', wecomState: 4 }, detail: '企业微信会话已结束，无法转接；顾客再发消息后可在控制台回复' };
    const picked = await transferToPerson(e);
    if (picked) {
      return { changes: { handover: 'person', wecomState: 3, servicerId: picked.servicerId }, detail: `已转接给 ${picked.servicerId}`, ...(picked.msgCode ? { code: picked.msgCode } : {}) };
    }
    const code = current.state !== 2 ? (await deps.channel.transfer(e.conversation, { state: 2 })).msgCode : undefined;
    const detail = e.advisors.length ? '配置的顾问都无法接待，已转入企业微信排队' : '流程未配置顾问，已转入企业微信排队';
    return { changes: { handover: 'queue', wecomState: 2 }, detail, ...(code ? { code } : {}) };
  }

  /** The turn may have told the customer since this job was queued (its send was retried). */
  function toldAlready(e: EscalationRecord, transcript: TranscriptEntry[], notice: TurnOutcome['notice'], noticeText: string): boolean {
    if (notice?.delivered) return true;
    return transcript.some((t) => t.author === 'bot' && t.text === noticeText && (t.delivery === 'sent' || t.delivery === 'unconfirmed') && t.at >= e.createdAt);
  }

  async function tellThroughCode(e: EscalationRecord, session: SessionRecord, code: string, text: string): Promise<void> {
    if (!(await deps.escalations.useEventCode(e.id, code))) return;
    const sent = await deps.channel.welcome(code, { kind: 'text', text }).catch((error: unknown) => {
      log.warn({ err: error, escalationId: e.id }, 'could not send the hand-over notice through the transfer code');
      return null;
    });
    const delivered = sent?.status === 'sent';
    await deps.conversation().appendTranscript(session.id, [{ direction: 'out', author: 'bot', text, at: clock(), messageId: `notice-${e.id}`, delivery: delivered ? 'sent' : 'failed' }]);
    await deps.escalations.update(e.id, {}, action('system', 'notice', delivered ? '已通过转接消息码告知顾客' : '告知顾客失败'));
  }

  /** Round-robin over the flow's advisors, starting at the next turn; WeCom refusing one (not receiving) moves on. */
  async function transferToPerson(e: EscalationRecord): Promise<{ servicerId: string; msgCode?: string } | null> {
    const candidates = [...new Set(e.advisors)];
    if (!candidates.length) return null;
    const start = (await deps.runtime.nextIndex(e.flowId)) % candidates.length;
    for (let i = 0; i < candidates.length; i++) {
      const servicerId = candidates[(start + i) % candidates.length]!;
      try {
        const result = await deps.channel.transfer(e.conversation, { state: 3, servicerId });
        return { servicerId, ...(result.msgCode ? { msgCode: result.msgCode } : {}) };
      } catch (error) {
        const errcode = (error as { errcode?: unknown }).errcode;
        if (typeof errcode !== 'number') throw error;
        log.info({ escalationId: e.id, servicerId, errcode }, 'WeCom refused the servicer (not receiving?); trying the next');
        await deps.escalations.update(e.id, {}, action('system', 'servicer_refused', `${servicerId} 无法接待（errcode ${errcode}）`));
      }
    }
    return null;
  }

  return { handOverInWecom };
}
