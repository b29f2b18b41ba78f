import type { ResponseRecorder } from '../analytics/ports.ts';
import type { EngineEffect } from '../engine/index.ts';
import type { EscalationHooks, ReleaseMode, TurnOutcome } from '../conversation/conversationService.ts';
import { AppError, ConflictError, NotFoundError, UpstreamError } from '../core/errors.ts';
import {
  activeEscalationStatuses,
  type AdvisorRepository,
  type ConversationSummarizer,
  type EscalationAction,
  type EscalationChanges,
  type EscalationRecord,
  type EscalationRepository,
  type EscalationRuntimeStore,
  type HandBack,
} from '../core/escalations.ts';
import type { Logger } from '../core/logger.ts';
import type { InboundMessage } from '../core/messages.ts';
import type { ChannelPort, SendResult, ServiceState } from '../core/ports.ts';
import type { SessionRecord, SessionRepository, TranscriptEntry } from '../core/sessions.ts';
import type { AdvisorNotifier, RobotItem } from './advisorNotifier.ts';
import { renderEscalationSection } from './notificationMarkdown.ts';
import { readSessionFacts, ruleSummary, triggerLabels } from './summarizeSession.ts';
import { escalationAccess, maskActions, maskEscalationView, maskSessionTexts, requireHandler, requireSight } from './consoleAccess.ts';
import { AuditUnavailableError, type TranscriptAudit } from '../core/transcriptAudit.ts';

/** Queued escalation work (one durable queue, retried a bounded number of times). */
export type EscalationJob =
  | { kind: 'handover'; escalationId: string; notice?: TurnOutcome['notice'] }
  | { kind: 'notify'; escalationId: string; round: number }
  | { kind: 'app'; escalationId: string; round: number }
  | { kind: 'robot' };

/** Delayed escalation checks: a detractor's reason took too long, or nobody replied in time. */
export type EscalationTimer = { kind: 'deadline'; escalationId: string } | { kind: 'sla'; escalationId: string; round: number };

/** Who acts in the console: an advisor, or the admin token holder. */
export interface ConsoleActor {
  id: string;
  name: string;
  wecomUserId?: string;
  admin: boolean;
}

/** What the conversation layer offers the advisor side (set after both are built). */
export interface ConversationControl {
  handOver(sessionId: string): Promise<boolean>;
  releaseToBot(sessionId: string, options: { mode: ReleaseMode; eventCode?: string }): Promise<boolean>;
  appendTranscript(sessionId: string, entries: TranscriptEntry[]): Promise<void>;
}

/** How a console reply can reach the customer right now, and what the console should say. */
export interface ReplyMode {
  mode: 'api' | 'event_code' | 'wecom_client' | 'queue' | 'ended' | 'unknown';
  canReply: boolean;
  text: string;
}

export interface EscalationSettings {
  /** Absolute console URL, e.g. https://huifang.example.com/console. */
  consoleUrl: string;
  /** Re-notify when nobody replied after this long (and again each time, `renotifyRounds` times). */
  renotifyMinutes: number;
  renotifyRounds: number;
  /** How long a detractor may take to say why before the hand-over goes ahead; 0 = at once. */
  reasonWaitMinutes: number;
}

export interface EscalationServiceDeps {
  escalations: EscalationRepository;
  advisors: AdvisorRepository;
  sessions: SessionRepository;
  channel: ChannelPort;
  conversation: () => ConversationControl;
  runtime: EscalationRuntimeStore;
  notifier: AdvisorNotifier;
  summarizer?: ConversationSummarizer;
  /** The session's flow sets `privacy.llmFullText`: the summarizer may read personal numbers. */
  llmFullText?: (session: SessionRecord) => Promise<boolean>;
  jobs: { add(job: EscalationJob, options?: { jobId?: string; delayMs?: number }): Promise<void> };
  timers: { add(job: EscalationTimer, options: { jobId: string; delayMs: number }): Promise<void> };
  settings: EscalationSettings;
  logger: Logger;
  now?: () => Date;
  /** Analytics, told when an escalation opens, gets its first reply and is resolved (never throws). */
  responses?: ResponseRecorder;
  /** Masks phone, ID and card numbers and emails for console users the escalation is not theirs. */
  mask: (text: string) => string;
  /** Audits each full transcript the console shows. */
  reads: TranscriptAudit;
}

/** Said through the transfer's one-message code when the turn's own notice could not go out. */
export const DEFAULT_NOTICE = '已为您转接同事，稍后会有专人联系您。';

const STATE_TEXT: Record<ServiceState, string> = { 0: '未处理', 1: '机器人接待', 2: '排队中', 3: '人工接待', 4: '已结束' };
const HAND_BACK_TEXT: Record<HandBack, string> = { none: '不交回机器人，问卷按已答内容结束', resume: '交回机器人继续问卷', finish: '交回机器人致谢并结束' };
const BLOCKED_TEXT: Record<Extract<SendResult, { status: 'blocked' }>['reason'], string> = {
  budget: '顾客这次消息后的 5 条发送额度已用完，需等顾客再发消息',
  window: '距顾客上次发消息已超过 48 小时，企业微信不允许再主动发送',
  human: '会话已在企业微信中排队或由接待人员接待，接口无法发送',
  session: '企业微信会话已结束，顾客再次发消息后才能回复',
  rejected: '顾客已拒收消息',
};

export type EscalationService = ReturnType<typeof createEscalationService>;

/**
 * Hand-over to human advisors. The conversation layer reports each turn that raised an
 * escalation or handed the chat over (`hooks`); this service records an Escalation (one active
 * per session), moves the WeCom session to a person (`service_state/trans` to 3, round-robin
 * over the flow's advisors, trying the next when WeCom refuses one) or to the queue (2),
 * notifies advisors (robot + app message, with reminders while nobody replies), and serves the
 * console: list, detail, claim, reply, resolve with an optional hand-back to the bot. Every
 * change is recorded on the escalation's `actions`.
 */
export function createEscalationService(deps: EscalationServiceDeps) {
  const log = deps.logger.child({ module: 'escalation' });
  const clock = deps.now ?? (() => new Date());
  const { settings } = deps;

  // Consoles poll every few seconds: the state they display may be this old (WeCom events and our
  // own calls refresh it); actions always ask WeCom.
  const shownStates = new Map<string, { at: number; value: { state: ServiceState; servicerId?: string } }>();
  const SHOWN_STATE_MS = 10_000;

  const action = (by: string, name: string, detail?: string): EscalationAction => ({ at: clock(), by, action: name, ...(detail ? { detail } : {}) });
  const counted = async (e: EscalationRecord | null): Promise<void> => {
    if (e) await deps.responses?.escalationChanged(e);
  };
  /** After a first reply: the stored record carries the reply time the repository computed. */
  const firstReplied = async (id: string, replied: boolean): Promise<void> => {
    if (replied) await counted(await deps.escalations.findById(id));
  };

  async function actorForServicer(servicerId: string): Promise<string> {
    const advisor = await deps.advisors.findByWecomUserId(servicerId).catch(() => null);
    return advisor ? advisor.id : `wecom:${servicerId}`;
  }

  // ---------------------------------------------------------------- conversation hooks

  const hooks: EscalationHooks = {
    async handOverNow(session, result) {
      const automatic = result.effects.filter((e): e is Extract<EngineEffect, { type: 'escalate' }> => e.type === 'escalate' && e.trigger !== 'intent');
      if (automatic.length) {
        // A detractor who is being asked why gets to say it: the advisor then hears it in their words.
        const waitForReason =
          settings.reasonWaitMinutes > 0 && automatic.every((e) => e.trigger === 'detractor') && result.awaiting?.question === 'reason';
        return !waitForReason;
      }
      // Cheap checks first: most turns have nothing pending, and the lookup below is a scan on FerretDB.
      if (session.escalation?.trigger !== 'detractor') return false;
      const awaiting = session.awaiting as { stepId?: string } | null;
      const stepId = awaiting?.stepId;
      if (!stepId || !result.effects.some((e) => e.type === 'answer.recorded' && e.stepId === stepId)) return false;
      const open = await deps.escalations.findActiveBySession(session.id);
      return open?.handover === 'waiting_reason' && open.reasonStepId === stepId;
    },

    async afterTurn(outcome) {
      await raise(outcome);
    },

    async recorded(session, message) {
      await noteRecorded(session, message);
    },

    async heldSession(conversationKey) {
      const e = await deps.escalations.findActiveByConversation(conversationKey);
      return e ? deps.sessions.findById(e.sessionId) : null;
    },
  };

  async function raise(outcome: TurnOutcome): Promise<void> {
    const { session } = outcome;
    let record = await deps.escalations.findActiveBySession(session.id);
    for (const request of outcome.escalations) {
      const label = triggerLabels[request.trigger] ?? request.trigger;
      if (record) {
        // A replayed turn reports the same trigger again: note it once.
        const noted = record.actions.some((a) => (a.action === 'trigger' && a.detail === request.reason) || (a.action === 'opened' && a.detail?.endsWith(`｜${request.reason}`)));
        if (!noted) await deps.escalations.update(record.id, {}, action('system', 'trigger', request.reason));
        continue;
      }
      const stillSurveying = session.status === 'active' || session.status === 'paused';
      const awaiting = session.awaiting as { stepId?: string } | null;
      const waiting = !outcome.handedOver && stillSurveying && request.trigger === 'detractor' && awaiting?.stepId !== undefined;
      const facts = readSessionFacts(session);
      const opened = await deps.escalations.openOnce(
        {
          sessionId: session.id,
          conversation: session.conversation,
          conversationKey: session.conversationKey,
          flowId: session.flowId,
          trigger: request.trigger,
          reason: request.reason,
          handover: waiting ? 'waiting_reason' : 'pending',
          advisors: request.advisors,
          ...(waiting ? { reasonStepId: awaiting.stepId } : {}),
          ...(session.customerFields.nickname ? { nickname: session.customerFields.nickname } : {}),
          ...(facts.score !== undefined ? { score: facts.score } : {}),
        },
        action('system', 'opened', `${label}｜${request.reason}`),
      );
      record = opened.record;
      if (!opened.created) continue;
      await counted(record);
      log.info({ escalationId: record.id, sessionId: session.id, trigger: request.trigger, waitingForReason: waiting }, 'escalation opened');
      if (waiting) {
        await deps.timers.add({ kind: 'deadline', escalationId: record.id }, { jobId: `deadline-${record.id}`, delayMs: settings.reasonWaitMinutes * 60_000 });
      } else {
        await startHandOver(record, outcome.notice);
        record = null; // started: nothing below applies
      }
    }
    // A replayed turn finds its escalation opened but maybe not yet handed over (the job was never
    // queued: the process stopped in between): queue it again; the job id keeps it to one.
    if (record && (record.handover === 'pending' || (outcome.handedOver && record.handover === 'waiting_reason'))) await startHandOver(record, outcome.notice);
    if (outcome.handedOver && !record && !outcome.escalations.length) {
      // Handed over with nothing raised (a direct `handOver` call): the session still gets its escalation.
      await raise({ ...outcome, escalations: [{ session, trigger: 'manual', reason: '转人工', stepId: '', advisors: [] }] });
    }
  }

  async function startHandOver(record: EscalationRecord, notice: TurnOutcome['notice']): Promise<void> {
    const moved = await deps.escalations.update(record.id, { handover: 'pending' }, undefined, { handover: ['waiting_reason', 'pending'], status: activeEscalationStatuses });
    if (!moved) return;
    await deps.jobs.add({ kind: 'handover', escalationId: record.id, ...(notice ? { notice } : {}) }, { jobId: `handover-${record.id}` });
  }

  async function noteRecorded(session: SessionRecord, message: InboundMessage): Promise<void> {
    if (message.kind !== 'servicer_text' && message.kind !== 'session_status') return;
    const e = await deps.escalations.findActiveBySession(session.id);
    if (!e) return;
    if (message.kind === 'session_status') forgetShownState(e.id);
    if (message.kind === 'servicer_text') {
      const by = await actorForServicer(message.servicerId);
      await firstReplied(e.id, await deps.escalations.markFirstReply(e.id, message.sentAt, by));
      if (e.status === 'open') {
        await deps.escalations.update(
          e.id,
          { status: 'assigned', assignedTo: by, assignedAt: message.sentAt, servicerId: message.servicerId, wecomState: 3 },
          action(by, 'assigned', '在企业微信客户端回复'),
          { status: ['open'] },
        );
      }
      return;
    }
    if ((message.changeType === 1 || message.changeType === 2) && message.newServicerId) {
      if (e.servicerId === message.newServicerId && e.status === 'assigned') return; // our own transfer coming back
      const by = await actorForServicer(message.newServicerId);
      await deps.escalations.update(
        e.id,
        { status: 'assigned', handover: 'person', servicerId: message.newServicerId, wecomState: 3, assignedTo: by, assignedAt: message.sentAt },
        action(by, 'wecom_assigned', message.changeType === 1 ? `${message.newServicerId} 从排队中接入` : `企业微信转接给 ${message.newServicerId}`),
      );
    } else if (message.changeType === 3) {
      await deps.escalations.update(e.id, { wecomState: 4 }, action(message.oldServicerId ? await actorForServicer(message.oldServicerId) : 'system', 'wecom_ended', '企业微信会话已结束'));
    }
  }

  // ---------------------------------------------------------------- jobs

  async function runJob(job: EscalationJob): Promise<void> {
    switch (job.kind) {
      case 'handover':
        return handOverInWecom(job.escalationId, job.notice);
      case 'notify':
        return notify(job.escalationId, job.round);
      case 'app':
        return sendAppMessage(job.escalationId, job.round);
      case 'robot':
        await deps.notifier.flushRobot();
        return;
    }
  }

  async function runTimer(timer: EscalationTimer): Promise<void> {
    const e = await deps.escalations.findById(timer.escalationId);
    if (!e || e.status === 'resolved') return;
    if (timer.kind === 'deadline') {
      if (e.handover !== 'waiting_reason') return;
      log.info({ escalationId: e.id }, 'detractor did not say why in time; handing over now');
      if (await deps.conversation().handOver(e.sessionId)) return; // the turn's report starts the transfer
      const session = await deps.sessions.findById(e.sessionId);
      if (session?.status === 'opted_out') {
        await counted(await deps.escalations.update(e.id, { status: 'resolved', resolvedAt: clock(), resolvedBy: 'system', handBack: 'none' }, action('system', 'resolved', '顾客已退订，不再联系')));
        return;
      }
      await startHandOver(e, undefined);
      return;
    }
    if (e.firstReplyAt) return;
    log.info({ escalationId: e.id, round: timer.round }, 'no advisor reply yet; notifying again');
    await deps.jobs.add({ kind: 'notify', escalationId: e.id, round: timer.round + 1 }, { jobId: `notify-${e.id}-${timer.round + 1}` });
    if (timer.round < settings.renotifyRounds) {
      await deps.timers.add({ kind: 'sla', escalationId: e.id, round: timer.round + 1 }, { jobId: `sla-${e.id}-${timer.round + 1}`, delayMs: settings.renotifyMinutes * 60_000 });
    }
  }

  /** Moves the WeCom session to a person or the queue, makes sure the customer was told, then notifies. */
  async function handOverInWecom(escalationId: string, notice: TurnOutcome['notice']): Promise<void> {
    const e = await deps.escalations.findById(escalationId);
    if (!e || e.status === 'resolved' || e.handover !== 'pending') return;
    forgetShownState(e.id);
    const ref = e.conversation;
    const now = clock();
    const session = await deps.sessions.findById(e.sessionId);
    const transcript = session ? await deps.sessions.transcript(session) : [];
    const facts = session ? readSessionFacts(session, transcript) : undefined;
    // The turn may have told the customer since this job was queued (its send was retried).
    const noticeText = notice?.text ?? DEFAULT_NOTICE;
    const told =
      notice?.delivered ||
      transcript.some((t) => t.author === 'bot' && t.text === noticeText && (t.delivery === 'sent' || t.delivery === 'unconfirmed') && t.at >= e.createdAt);
    const changes: EscalationChanges = {
      handedOverAt: now,
      ...(facts?.customerWords ? { customerWords: facts.customerWords } : {}),
      ...(facts?.score !== undefined ? { score: facts.score } : {}),
    };
    let detail: string;
    let code: string | undefined;
    let current: { state: ServiceState; servicerId?: string };
    try {
      current = await deps.channel.serviceState(ref);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        // Not a kf conversation (e.g. a member writing to the app): nothing to transfer.
        await deps.escalations.update(e.id, { ...changes, handover: 'skipped' }, action('system', 'handover_skipped', '非微信客服会话，无需转接'));
        await queueFirstNotice(e.id);
        return;
      }
      throw error;
    }
    if (current.state === 3 && current.servicerId) {
      Object.assign(changes, { handover: 'person', wecomState: 3, servicerId: current.servicerId });
      detail = `已由 ${current.servicerId} 在企业微信中接待`;
    } else if (current.state === 4) {
      Object.assign(changes, { handover: 'ended', wecomState: 4 });
      detail = '企业微信会话已结束，无法转接；顾客再发消息后可在控制台回复';
    } else {
      const picked = await transferToPerson(e);
      if (picked) {
        code = picked.msgCode;
        Object.assign(changes, { handover: 'person', wecomState: 3, servicerId: picked.servicerId });
        detail = `已转接给 ${picked.servicerId}`;
      } else {
        if (current.state !== 2) code = (await deps.channel.transfer(ref, { state: 2 })).msgCode;
        Object.assign(changes, { handover: 'queue', wecomState: 2 });
        detail = e.advisors.length ? '配置的顾问都无法接待，已转入企业微信排队' : '流程未配置顾问，已转入企业微信排队';
      }
    }
    if (changes.servicerId) {
      const by = await actorForServicer(changes.servicerId);
      Object.assign(changes, { status: 'assigned', assignedTo: by, assignedAt: now });
    }
    if (code) changes.eventCode = { code, state: changes.wecomState ?? 2, issuedAt: now, used: false };
    const saved = await deps.escalations.update(e.id, changes, action('system', 'handed_over', detail), { handover: ['pending'] });
    if (!saved) return;
    log.info({ escalationId: e.id, handover: saved.handover, servicerId: saved.servicerId }, 'handed over in WeCom');
    // Advisors are told before anything else can fail: a retry of this job stops at the check above.
    await queueFirstNotice(e.id);

    // The turn could not tell the customer (send budget, or no turn at all): the transfer's code
    // can; not when its send may have arrived after all, which would say it twice.
    if (!told && !notice?.uncertain && code && session) {
      const text = noticeText;
      if (await deps.escalations.useEventCode(e.id, code)) {
        const sent = await deps.channel.welcome(code, { kind: 'text', text }).catch((error: unknown) => {
          log.warn({ err: error, escalationId: e.id }, 'could not send the hand-over notice through the transfer code');
          return null;
        });
        const delivered = sent?.status === 'sent';
        await deps.conversation().appendTranscript(session.id, [{ direction: 'out', author: 'bot', text, at: clock(), messageId: `notice-${e.id}`, delivery: delivered ? 'sent' : 'failed' }]);
        await deps.escalations.update(e.id, {}, action('system', 'notice', delivered ? '已通过转接消息码告知顾客' : '告知顾客失败'));
      }
    }
  }

  async function queueFirstNotice(escalationId: string): Promise<void> {
    await deps.jobs.add({ kind: 'notify', escalationId, round: 1 }, { jobId: `notify-${escalationId}-1` });
    if (settings.renotifyRounds > 0) {
      await deps.timers.add({ kind: 'sla', escalationId, round: 1 }, { jobId: `sla-${escalationId}-1`, delayMs: settings.renotifyMinutes * 60_000 });
    }
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

  async function notify(escalationId: string, round: number): Promise<void> {
    let e = await deps.escalations.findById(escalationId);
    if (!e || e.notifiedRounds >= round) return;
    if (round > 1 && (e.status === 'resolved' || e.firstReplyAt)) return;
    if (!e.summary.length) e = await writeSummary(e);
    const section = renderEscalationSection({ escalation: e, consoleUrl: consoleLink(e.id), round, now: clock() });
    await deps.notifier.queueRobot({ escalationId: e.id, round, section });
    const channels = [deps.notifier.hasRobot ? '群机器人' : '', deps.notifier.hasApp && appRecipients(e).length ? '应用消息' : ''].filter(Boolean).join('、') || '（未配置通知渠道）';
    const marked = await deps.escalations.update(
      e.id,
      { notifiedRounds: round, lastNotifiedAt: clock() },
      action('system', round === 1 ? 'notified' : 'renotified', `第 ${round} 次通知：${channels}`),
      { notifiedRoundsBelow: round },
    );
    if (marked && deps.notifier.hasApp && appRecipients(marked).length) {
      await deps.jobs.add({ kind: 'app', escalationId: e.id, round }, { jobId: `app-${e.id}-${round}` });
    }
  }

  async function writeSummary(e: EscalationRecord): Promise<EscalationRecord> {
    const session = await deps.sessions.findById(e.sessionId);
    if (!session) return e;
    const transcript = await deps.sessions.transcript(session);
    const facts = readSessionFacts(session, transcript);
    const llmFullText = (await deps.llmFullText?.(session).catch(() => false)) ?? false;
    let summary = deps.summarizer
      ? await deps.summarizer.summarize({ lines: facts.lines, facts: [e.reason, ...facts.facts] }, { sessionId: session.id, llmFullText }).catch(() => null)
      : null;
    const source = summary ? 'llm' : 'rules';
    summary ??= ruleSummary(transcript, facts);
    return (await deps.escalations.update(e.id, { summary, summarySource: source })) ?? e;
  }

  /** Who gets the app message: the servicer who has the chat, or every flow advisor while it is queued. */
  function appRecipients(e: EscalationRecord): string[] {
    if (e.servicerId) return [e.servicerId];
    return e.handover === 'queue' ? e.advisors : [];
  }

  async function sendAppMessage(escalationId: string, round: number): Promise<void> {
    const e = await deps.escalations.findById(escalationId);
    if (!e) return;
    const users = appRecipients(e);
    if (!users.length) return;
    const content = renderEscalationSection({ escalation: e, consoleUrl: consoleLink(e.id), round, now: clock() }, { mention: false });
    const { invalidUsers } = await deps.notifier.sendApp(users, content);
    await deps.escalations.update(
      e.id,
      {},
      action('system', 'app_message', invalidUsers.length ? `应用消息未送达：${invalidUsers.join('、')}` : `应用消息已发给 ${users.join('、')}`),
    );
  }

  async function onRobotSent(items: RobotItem[]): Promise<void> {
    for (const item of items) {
      if (item.escalationId) await deps.escalations.update(item.escalationId, {}, action('system', 'robot', `群机器人已发送（第 ${item.round} 次）`));
    }
  }

  function consoleLink(id: string): string {
    return `${settings.consoleUrl}#/escalations/${id}`;
  }

  // ---------------------------------------------------------------- console

  function view(e: EscalationRecord, now: Date) {
    const start = e.handedOverAt ?? e.createdAt;
    const end = e.firstReplyAt ?? e.resolvedAt ?? now;
    return {
      id: e.id,
      sessionId: e.sessionId,
      customerId: e.conversation.customerId,
      nickname: e.nickname ?? null,
      flowId: e.flowId,
      trigger: e.trigger,
      triggerLabel: triggerLabels[e.trigger] ?? e.trigger,
      reason: e.reason,
      customerWords: e.customerWords ?? null,
      summary: e.summary,
      summarySource: e.summarySource ?? null,
      score: e.score ?? null,
      status: e.status,
      handover: e.handover,
      wecomState: e.wecomState ?? null,
      servicerId: e.servicerId ?? null,
      assignedTo: e.assignedTo ?? null,
      createdAt: e.createdAt,
      handedOverAt: e.handedOverAt ?? null,
      assignedAt: e.assignedAt ?? null,
      firstReplyAt: e.firstReplyAt ?? null,
      firstReplyBy: e.firstReplyBy ?? null,
      firstReplySeconds: e.firstReplySeconds ?? null,
      resolvedAt: e.resolvedAt ?? null,
      resolvedBy: e.resolvedBy ?? null,
      handBack: e.handBack ?? null,
      /** Seconds the customer has waited (or waited) for a first reply. */
      waitingSeconds: Math.max(0, Math.round((end.getTime() - start.getTime()) / 1000)),
      notifiedRounds: e.notifiedRounds,
    };
  }

  /** The escalations `actor` may see, each with the customer's words masked unless it is theirs. */
  function listFor(records: EscalationRecord[], actor: ConsoleActor) {
    const now = clock();
    const items = [];
    for (const e of records) {
      const access = escalationAccess(e, actor);
      if (access === 'none') continue;
      const shown = { ...view(e, now), masked: access === 'masked' };
      items.push(access === 'masked' ? maskEscalationView(shown, deps.mask) : shown);
    }
    return items;
  }

  async function requireActive(id: string): Promise<EscalationRecord> {
    const e = await deps.escalations.findById(id);
    if (!e) throw new NotFoundError('ESCALATION_NOT_FOUND', `No escalation ${id}`);
    if (e.status === 'resolved') throw new ConflictError('ESCALATION_RESOLVED', '这条转人工已经解决了');
    return e;
  }

  async function shownState(e: EscalationRecord): Promise<{ state: ServiceState; servicerId?: string } | null> {
    const now = Date.now();
    const hit = shownStates.get(e.id);
    if (hit && now - hit.at < SHOWN_STATE_MS) return hit.value;
    const value = await liveState(e);
    if (value) {
      if (shownStates.size > 500) shownStates.clear();
      shownStates.set(e.id, { at: now, value });
    }
    return value;
  }

  function forgetShownState(id: string): void {
    shownStates.delete(id);
  }

  async function liveState(e: EscalationRecord): Promise<{ state: ServiceState; servicerId?: string } | null> {
    // Whoever asks WeCom directly is about to change things: the cached display state is stale now.
    shownStates.delete(e.id);
    try {
      return await deps.channel.serviceState(e.conversation);
    } catch (error) {
      log.warn({ escalationId: e.id, err: error instanceof Error ? error.message : String(error) }, 'could not read the WeCom session state');
      return null;
    }
  }

  function replyModeOf(e: EscalationRecord, state: { state: ServiceState; servicerId?: string } | null): ReplyMode {
    if (e.status === 'resolved') return { mode: 'ended', canReply: false, text: '已解决' };
    if (!state) return { mode: 'unknown', canReply: true, text: '暂时读不到企业微信会话状态；发送时会再检查' };
    if (state.state === 0 || state.state === 1) {
      return { mode: 'api', canReply: true, text: '会话不在企业微信接待人员手中：回复通过微信客服接口发送（顾客每发一条消息后最多 5 条，48 小时内有效）' };
    }
    if ((state.state === 2 || state.state === 3) && e.eventCode && !e.eventCode.used && e.eventCode.state === state.state) {
      return { mode: 'event_code', canReply: true, text: `会话${state.state === 3 ? `由 ${state.servicerId ?? '接待人员'} 在企业微信中接待` : '在企业微信排队中'}：接口只能借转接消息码再发 1 条，之后请在企业微信客户端回复` };
    }
    if (state.state === 3) return { mode: 'wecom_client', canReply: false, text: `会话由 ${state.servicerId ?? '接待人员'} 在企业微信中接待：请在企业微信客户端回复，回复会同步到这里` };
    if (state.state === 2) return { mode: 'queue', canReply: false, text: '会话在企业微信排队中：请在企业微信客户端接入后回复（填写了企业微信账号的顾问可点“接手”直接转到自己名下）' };
    return { mode: 'ended', canReply: false, text: '企业微信会话已结束：顾客再次发消息后才能回复' };
  }

  return {
    hooks,
    runJob,
    runTimer,
    onRobotSent,

    /** Open and assigned escalations `actor` may see (see consoleAccess.ts), oldest first, with waiting time. */
    async listActive(actor: ConsoleActor) {
      return listFor(await deps.escalations.listActive(200), actor);
    },

    async listResolved(actor: ConsoleActor, limit = 50) {
      return listFor(await deps.escalations.listResolved(limit), actor);
    },

    /**
     * One escalation with the session's transcript and answers, and how a reply can go out now.
     * Full text only for its advisor and admins, after the read is audited; when the audit
     * cannot be written the text is shown masked (`maskedBecause: 'audit_unavailable'`), so the
     * console keeps working and nothing unmasked goes out unrecorded.
     */
    async detail(id: string, actor: ConsoleActor) {
      const e = await deps.escalations.findById(id);
      if (!e) throw new NotFoundError('ESCALATION_NOT_FOUND', `No escalation ${id}`);
      let masked = requireSight(e, actor) === 'masked';
      let maskedBecause: 'not_yours' | 'audit_unavailable' | null = masked ? 'not_yours' : null;
      if (!masked) {
        try {
          await deps.reads.record({ actor: actor.id, actorRole: actor.admin ? 'admin' : 'advisor', via: 'console', sessionId: e.sessionId, escalationId: e.id });
        } catch (error) {
          if (!(error instanceof AuditUnavailableError)) throw error;
          masked = true;
          maskedBecause = 'audit_unavailable';
        }
      }
      const session = await deps.sessions.findById(e.sessionId);
      const state = e.status === 'resolved' ? null : await shownState(e);
      const shown = session
        ? {
            id: session.id,
            status: session.status,
            flowId: session.flowId,
            flowVersion: session.flowVersion,
            answers: session.answers,
            transcript: (await deps.sessions.transcript(session)).map((t) => ({ direction: t.direction, author: t.author, text: t.text, at: t.at, delivery: t.delivery ?? null, advisorId: t.advisorId ?? null })),
          }
        : null;
      const base = { ...view(e, clock()), masked, maskedBecause };
      return {
        ...(masked ? maskEscalationView(base, deps.mask) : base),
        actions: masked ? maskActions(e.actions, deps.mask) : e.actions,
        wecom: state ? { state: state.state, stateText: STATE_TEXT[state.state], servicerId: state.servicerId ?? null } : null,
        reply: replyModeOf(e, state),
        session: shown && masked ? maskSessionTexts(shown, deps.mask) : shown,
      };
    },

    /** Takes the escalation; an advisor with a WeCom account also gets the WeCom chat moved to them. */
    async claim(id: string, actor: ConsoleActor) {
      const e = await requireActive(id);
      requireSight(e, actor);
      const changes: EscalationChanges = { status: 'assigned', assignedTo: actor.id, assignedAt: clock() };
      let detail = `${actor.name} 接手`;
      const state = actor.wecomUserId ? await liveState(e) : null;
      if (actor.wecomUserId && state && (state.state === 2 || state.state === 3) && state.servicerId !== actor.wecomUserId) {
        let result: { msgCode?: string };
        try {
          result = await deps.channel.transfer(e.conversation, { state: 3, servicerId: actor.wecomUserId });
        } catch (error) {
          const errcode = (error as { errcode?: unknown }).errcode;
          if (typeof errcode === 'number') throw new ConflictError('CLAIM_REFUSED', `企业微信拒绝转接给 ${actor.wecomUserId}（errcode ${errcode}）：请确认其为接待人员且处于接待状态`);
          throw error;
        }
        Object.assign(changes, { handover: 'person', wecomState: 3, servicerId: actor.wecomUserId });
        if (result.msgCode) changes.eventCode = { code: result.msgCode, state: 3, issuedAt: clock(), used: false };
        detail += `，企业微信会话已转到 ${actor.wecomUserId}`;
      }
      const saved = await deps.escalations.update(id, changes, action(actor.id, 'claimed', detail), { status: activeEscalationStatuses });
      if (!saved) throw new ConflictError('ESCALATION_RESOLVED', '这条转人工已经解决了');
      return view(saved, clock());
    },

    /**
     * Sends a console reply the way WeCom allows right now: `kf/send_msg` while no servicer holds
     * the chat (state 0/1), the transfer's one-message code while it is queued or held, and
     * otherwise a 409 saying to reply in the WeCom client.
     */
    async reply(id: string, actor: ConsoleActor, input: { text: string; clientId: string }) {
      const e = await requireActive(id);
      requireHandler(e, actor);
      const state = await liveState(e);
      if (!state) throw new UpstreamError('WECOM_STATE_UNAVAILABLE', 'Could not read the WeCom session state; try again');
      const mode = replyModeOf(e, state);
      const messageId = `console-${e.id}-${input.clientId}`;
      if (mode.mode === 'api') {
        const sent = await deps.channel.send(e.conversation, { kind: 'text', text: input.text }, { idempotencyKey: messageId });
        if (sent.status !== 'sent') throw new ConflictError('REPLY_BLOCKED', BLOCKED_TEXT[sent.reason]);
      } else if (mode.mode === 'event_code' && e.eventCode) {
        if (!(await deps.escalations.useEventCode(e.id, e.eventCode.code))) throw new ConflictError('REPLY_NOT_ALLOWED', '转接消息码刚被用掉了：请在企业微信客户端回复');
        const sent = await deps.channel.welcome(e.eventCode.code, { kind: 'text', text: input.text });
        if (sent.status !== 'sent') throw new ConflictError('REPLY_BLOCKED', '企业微信不再接受这个转接消息码：请在企业微信客户端回复');
      } else {
        throw new ConflictError('REPLY_NOT_ALLOWED', mode.text);
      }
      const now = clock();
      const entry: TranscriptEntry = { direction: 'out', author: 'advisor', text: input.text, at: now, messageId, advisorId: actor.id, delivery: 'sent' };
      await deps.conversation().appendTranscript(e.sessionId, [entry]);
      await firstReplied(e.id, await deps.escalations.markFirstReply(e.id, now, actor.id));
      const changes: EscalationChanges = e.status === 'open' ? { status: 'assigned', assignedTo: actor.id, assignedAt: now } : {};
      await deps.escalations.update(e.id, changes, action(actor.id, 'replied', mode.mode === 'api' ? '控制台回复（微信客服接口）' : '控制台回复（转接消息码，仅此一条）'));
      return { path: mode.mode };
    },

    /**
     * Resolves the escalation. `resume`/`finish` hand the chat back to the bot: a session held in
     * WeCom (2/3) can only move to "ended" (4), whose one-message code carries the bot's message;
     * the customer's next message reopens the chat for the bot. `none` ends the survey quietly
     * with the answers it has.
     */
    async resolve(id: string, actor: ConsoleActor, input: { handBack: HandBack; note?: string }) {
      const e = await requireActive(id);
      requireHandler(e, actor);
      const session = await deps.sessions.findById(e.sessionId);
      let detail = HAND_BACK_TEXT[input.handBack];
      if (session?.status === 'escalated') {
        const mode: ReleaseMode = input.handBack === 'none' ? 'silent' : input.handBack;
        let eventCode: string | undefined;
        if (mode !== 'silent') {
          const state = await liveState(e);
          if (state && (state.state === 2 || state.state === 3)) {
            eventCode = (await deps.channel.transfer(e.conversation, { state: 4 })).msgCode;
            detail += '；已结束企业微信会话';
          }
        }
        await deps.conversation().releaseToBot(e.sessionId, { mode, ...(eventCode ? { eventCode } : {}) });
      } else if (input.handBack !== 'none') {
        detail = `问卷状态为 ${session?.status ?? '不存在'}，未交回机器人`;
      }
      if (input.note) detail += `；备注：${input.note}`;
      const saved = await deps.escalations.update(
        id,
        { status: 'resolved', resolvedAt: clock(), resolvedBy: actor.id, handBack: input.handBack },
        action(actor.id, 'resolved', detail),
        { status: activeEscalationStatuses },
      );
      if (!saved) throw new ConflictError('ESCALATION_RESOLVED', '这条转人工已经解决了');
      await counted(saved);
      log.info({ escalationId: id, by: actor.id, handBack: input.handBack }, 'escalation resolved');
      return view(saved, clock());
    },
  };
}
