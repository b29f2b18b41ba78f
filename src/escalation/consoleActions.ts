import type { ReleaseMode } from '../conversation/conversationService.ts';
import { ConflictError, NotFoundError, UpstreamError } from '../core/errors.ts';
import { activeEscalationStatuses, type EscalationChanges, type EscalationRecord, type HandBack } from '../core/escalations.ts';
import type { SendResult } from '../core/ports.ts';
import type { TranscriptEntry } from '../core/sessions.ts';
import { requireHandler, requireSight } from './consoleAccess.ts';
import { escalationView, replyModeOf } from './consoleView.ts';
import type { ConsoleActor, EscalationContext } from './escalationTypes.ts';

const HAND_BACK_TEXT: Record<HandBack, string> = { none: '不交回机器人，问卷按已答内容结束', resume: '交回机器人继续问卷', finish: '交回机器人致谢并结束' };
const BLOCKED_TEXT: Record<Extract<SendResult, { status: 'blocked' }>['reason'], string> = {
  budget: '顾客这次消息后的 5 条发送额度已用完，需等顾客再发消息',
  window: '距顾客上次发消息已超过 48 小时，企业微信不允许再主动发送',
  human: '会话已在企业微信中排队或由接待人员接待，接口无法发送',
  session: '企业微信会话已结束，顾客再次发消息后才能回复',
  rejected: '顾客已拒收消息',
};

/** The console's acting side: claim, reply and resolve, each recorded on the escalation's trail. */
export function createConsoleActions(ctx: EscalationContext) {
  const { deps, log, action, clock } = ctx;

  async function requireActive(id: string): Promise<EscalationRecord> {
    const e = await deps.escalations.findById(id);
    if (!e) throw new NotFoundError('ESCALATION_NOT_FOUND', `No escalation ${id}`);
    if (e.status === 'resolved') throw new ConflictError('ESCALATION_RESOLVED', '这条转人工已经解决了');
    return e;
  }

  /** Moves the WeCom chat to the claiming advisor when it is queued or held by someone else. */
  async function moveToClaimer(e: EscalationRecord, wecomUserId: string, changes: EscalationChanges): Promise<string> {
    const state = await ctx.wecomState.live(e);
    if (!state || (state.state !== 2 && state.state !== 3) || state.servicerId === wecomUserId) return '';
    let result: { msgCode?: string };
    try {
      result = await deps.channel.transfer(e.conversation, { state: 3, servicerId: wecomUserId });
    } catch (error) {
      const errcode = (error as { errcode?: unknown }).errcode;
      if (typeof errcode === 'number') throw new ConflictError('CLAIM_REFUSED', `企业微信拒绝转接给 ${wecomUserId}（errcode ${errcode}）：请确认其为接待人员且处于接待状态`);
      throw error;
    }
    Object.assign(changes, { handover: 'person', wecomState: 3, servicerId: wecomUserId });
    if (result.msgCode) changes.eventCode = { code: result.msgCode, state: 3, issuedAt: clock(), used: false };
    return `，企业微信会话已转到 ${wecomUserId}`;
  }

  /** Sends the reply through the path `mode` allows; anything else is a 409 naming what to do instead. */
  async function sendReply(e: EscalationRecord, mode: ReturnType<typeof replyModeOf>, text: string, messageId: string): Promise<void> {
    if (mode.mode === 'api') {
      const sent = await deps.channel.send(e.conversation, { kind: 'text', text }, { idempotencyKey: messageId });
      if (sent.status !== 'sent') throw new ConflictError('REPLY_BLOCKED', BLOCKED_TEXT[sent.reason]);
    } else if (mode.mode === 'event_code' && e.eventCode) {
      if (!(await deps.escalations.useEventCode(e.id, e.eventCode.code))) throw new ConflictError('REPLY_NOT_ALLOWED', '转接消息码刚被用掉了：请在企业微信客户端回复');
      const sent = await deps.channel.welcome(e.eventCode.code, { kind: 'text', text });
      if (sent.status !== 'sent') throw new ConflictError('REPLY_BLOCKED', '企业微信不再接受这个转接消息码：请在企业微信客户端回复');
    } else {
      throw new ConflictError('REPLY_NOT_ALLOWED', mode.text);
    }
  }

  /** Hands an escalated session back to the bot (or ends it quietly); returns what to note. */
  async function handBack(e: EscalationRecord, to: HandBack): Promise<string> {
    const session = await deps.sessions.findById(e.sessionId);
    let detail = HAND_BACK_TEXT[to];
    if (session?.status !== 'escalated') return to === 'none' ? detail : `问卷状态为 ${session?.status ?? '不存在'}，未交回机器人`;
    const mode: ReleaseMode = to === 'none' ? 'silent' : to;
    let eventCode: string | undefined;
    if (mode !== 'silent') {
      const state = await ctx.wecomState.live(e);
      if (state && (state.state === 2 || state.state === 3)) {
        eventCode = (await deps.channel.transfer(e.conversation, { state: 4 })).msgCode;
        detail += '；已结束企业微信会话';
      }
    }
    await deps.conversation().releaseToBot(e.sessionId, { mode, ...(eventCode ? { eventCode } : {}) });
    return detail;
  }

  return {
    /** Takes the escalation; an advisor with a WeCom account also gets the WeCom chat moved to them. */
    async claim(id: string, actor: ConsoleActor) {
      const e = await requireActive(id);
      requireSight(e, actor);
      const changes: EscalationChanges = { status: 'assigned', assignedTo: actor.id, assignedAt: clock() };
      const moved = actor.wecomUserId ? await moveToClaimer(e, actor.wecomUserId, changes) : '';
      const saved = await deps.escalations.update(id, changes, action(actor.id, 'claimed', `${actor.name} 接手${moved}`), { status: activeEscalationStatuses });
      if (!saved) throw new ConflictError('ESCALATION_RESOLVED', '这条转人工已经解决了');
      return escalationView(saved, clock());
    },

    /**
     * Sends a console reply the way WeCom allows right now: `kf/send_msg` while no servicer holds
     * the chat (state 0/1), the transfer's one-message code while it is queued or held, and
     * otherwise a 409 saying to reply in the WeCom client.
     */
    async reply(id: string, actor: ConsoleActor, input: { text: string; clientId: string }) {
      const e = await requireActive(id);
      requireHandler(e, actor);
      const state = await ctx.wecomState.live(e);
      if (!state) throw new UpstreamError('WECOM_STATE_UNAVAILABLE', 'Could not read the WeCom session state; try again');
      const mode = replyModeOf(e, state);
      const messageId = `console-${e.id}-${input.clientId}`;
      await sendReply(e, mode, input.text, messageId);
      const now = clock();
      const entry: TranscriptEntry = { direction: 'out', author: 'advisor', text: input.text, at: now, messageId, advisorId: actor.id, delivery: 'sent' };
      await deps.conversation().appendTranscript(e.sessionId, [entry]);
      await ctx.firstReplied(e.id, await deps.escalations.markFirstReply(e.id, now, actor.id));
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
      let detail = await handBack(e, input.handBack);
      if (input.note) detail += `；备注：${input.note}`;
      const saved = await deps.escalations.update(
        id,
        { status: 'resolved', resolvedAt: clock(), resolvedBy: actor.id, handBack: input.handBack },
        action(actor.id, 'resolved', detail),
        { status: activeEscalationStatuses },
      );
      if (!saved) throw new ConflictError('ESCALATION_RESOLVED', '这条转人工已经解决了');
      await ctx.counted(saved);
      log.info({ escalationId: id, by: actor.id, handBack: input.handBack }, 'escalation resolved');
      return escalationView(saved, clock());
    },
  };
}
