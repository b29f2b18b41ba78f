import { NotFoundError } from '../core/errors.ts';
import type { EscalationRecord } from '../core/escalations.ts';
import type { ServiceState } from '../core/ports.ts';
import { AuditUnavailableError } from '../core/transcriptAudit.ts';
import { escalationAccess, maskActions, maskEscalationView, maskSessionTexts, requireSight } from './consoleAccess.ts';
import type { ConsoleActor, EscalationContext, ReplyMode } from './escalationTypes.ts';
import { triggerLabels } from './summarizeSession.ts';
import type { WecomSessionState } from './wecomStateReader.ts';

const STATE_TEXT: Record<ServiceState, string> = { 0: '未处理', 1: '机器人接待', 2: '排队中', 3: '人工接待', 4: '已结束' };

/** An escalation as the console shows it: its record's fields, and how long the customer has waited. */
export function escalationView(e: EscalationRecord, now: Date) {
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

/** How a console reply can go out given the WeCom state (see README "Escalation to advisors"). */
export function replyModeOf(e: EscalationRecord, state: WecomSessionState | null): ReplyMode {
  if (e.status === 'resolved') return { mode: 'ended', canReply: false, text: '这条转人工已解决，不能再回复。' };
  if (!state) return { mode: 'unknown', canReply: true, text: '暂时读不到企业微信会话状态，可以先写回复，发送时会再检查能否送达。' };
  if (state.state === 0 || state.state === 1) {
    return { mode: 'api', canReply: true, text: '可以直接在这里回复：顾客每发来一条消息，您最多能回 5 条，48 小时内有效。' };
  }
  if ((state.state === 2 || state.state === 3) && e.eventCode && !e.eventCode.used && e.eventCode.state === state.state) {
    return { mode: 'event_code', canReply: true, text: `${state.state === 3 ? `会话已由 ${state.servicerId ?? '接待人员'} 在企业微信中接待` : '会话正在企业微信排队'}，企业微信只允许在这里再发 1 条消息；之后请打开企业微信客户端的「微信客服」接入顾客继续回复。` };
  }
  if (state.state === 3) return { mode: 'wecom_client', canReply: false, text: `会话已由 ${state.servicerId ?? '接待人员'} 在企业微信中接待，企业微信不允许从这里回复：请在企业微信客户端回复，回复会同步到这里。` };
  if (state.state === 2) return { mode: 'queue', canReply: false, text: '会话正在企业微信排队，企业微信不允许从这里回复：请点「接手」把会话转到您的企业微信名下（需管理员为您填写企业微信账号），或打开企业微信客户端的「微信客服」接入后回复。' };
  return { mode: 'ended', canReply: false, text: '企业微信会话已结束：等顾客再发来消息后才能回复。' };
}

/** Masked views show that a voice note or picture was sent, not the file. */
function withoutMediaFiles<S extends { transcript: Array<{ media: { fileId: string | null } | null }> }>(session: S): S {
  return { ...session, transcript: session.transcript.map((t) => (t.media ? { ...t, media: { ...t.media, fileId: null } } : t)) };
}

/** The console's reading side: lists and one escalation's detail, masked where it is not the actor's. */
export function createConsoleView(ctx: EscalationContext) {
  const { deps, clock } = ctx;
  // Wait colours in the console turn amber at half of this and red at it: when advisors are reminded.
  const replyTargetSeconds = ctx.settings.renotifyMinutes * 60;

  /** The escalations `actor` may see, each with the customer's words masked unless it is theirs. */
  function listFor(records: EscalationRecord[], actor: ConsoleActor) {
    const now = clock();
    const items = [];
    for (const e of records) {
      const access = escalationAccess(e, actor);
      if (access === 'none') continue;
      const shown = { ...escalationView(e, now), replyTargetSeconds, masked: access === 'masked' };
      items.push(access === 'masked' ? maskEscalationView(shown, deps.mask) : shown);
    }
    return items;
  }

  /** Full text only after the read is audited; when the audit cannot be written, masked instead. */
  async function sightOf(e: EscalationRecord, actor: ConsoleActor): Promise<'not_yours' | 'audit_unavailable' | null> {
    if (requireSight(e, actor) === 'masked') return 'not_yours';
    try {
      await deps.reads.record({ actor: actor.id, actorRole: actor.admin ? 'admin' : 'advisor', via: 'console', sessionId: e.sessionId, escalationId: e.id });
      return null;
    } catch (error) {
      if (!(error instanceof AuditUnavailableError)) throw error;
      return 'audit_unavailable';
    }
  }

  async function sessionShown(sessionId: string) {
    const session = await deps.sessions.findById(sessionId);
    if (!session) return null;
    return {
      id: session.id,
      status: session.status,
      flowId: session.flowId,
      flowVersion: session.flowVersion,
      answers: session.answers,
      transcript: (await deps.sessions.transcript(session)).map((t) => ({
        direction: t.direction,
        author: t.author,
        text: t.text,
        at: t.at,
        delivery: t.delivery ?? null,
        advisorId: t.advisorId ?? null,
        media: t.media ? { type: t.media.type, fileId: t.media.fileId ?? null, contentType: t.media.contentType ?? null } : null,
      })),
    };
  }

  return {
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
      const maskedBecause = await sightOf(e, actor);
      const masked = maskedBecause !== null;
      const shown = await sessionShown(e.sessionId);
      const state = e.status === 'resolved' ? null : await ctx.wecomState.shown(e);
      const base = { ...escalationView(e, clock()), replyTargetSeconds, masked, maskedBecause };
      return {
        ...(masked ? maskEscalationView(base, deps.mask) : base),
        actions: masked ? maskActions(e.actions, deps.mask) : e.actions,
        wecom: state ? { state: state.state, stateText: STATE_TEXT[state.state], servicerId: state.servicerId ?? null } : null,
        reply: replyModeOf(e, state),
        session: shown && masked ? withoutMediaFiles(maskSessionTexts(shown, deps.mask)) : shown,
      };
    },

    /**
     * A voice note or picture of the escalation's conversation, for those who may read its full
     * transcript (the read is audited like the transcript's); anyone else gets not found.
     */
    async mediaFile(id: string, fileId: string, actor: ConsoleActor) {
      const e = await deps.escalations.findById(id);
      if (!e || !deps.media) throw new NotFoundError('MEDIA_NOT_FOUND', `No media ${fileId}`);
      if ((await sightOf(e, actor)) !== null) throw new NotFoundError('MEDIA_NOT_FOUND', `No media ${fileId}`);
      const [session, file] = await Promise.all([deps.sessions.findById(e.sessionId), deps.media.find(fileId)]);
      if (!session || !file || file.conversationKey !== session.conversationKey) throw new NotFoundError('MEDIA_NOT_FOUND', `No media ${fileId}`);
      return file;
    },
  };
}
