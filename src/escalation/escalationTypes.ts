import type { ResponseRecorder } from '../analytics/ports.ts';
import type { ReleaseMode, TurnOutcome } from '../conversation/conversationService.ts';
import type { AdvisorRepository, ConversationSummarizer, EscalationAction, EscalationRecord, EscalationRepository, EscalationRuntimeStore } from '../core/escalations.ts';
import type { Logger } from '../core/logger.ts';
import type { ChannelPort, MediaStore } from '../core/ports.ts';
import type { SessionRecord, SessionRepository, TranscriptEntry } from '../core/sessions.ts';
import type { TranscriptAudit } from '../core/transcriptAudit.ts';
import type { AdvisorNotifier } from './advisorNotifier.ts';
import type { WecomStateReader } from './wecomStateReader.ts';

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
  /** Customers' voice notes and pictures, shown in the console. */
  media?: MediaStore;
}

/** Said through the transfer's one-message code when the turn's own notice could not go out. */
export const DEFAULT_NOTICE = '已为您转接同事，稍后会有专人联系您。';

/** What every part of the escalation service shares: its dependencies and a few small helpers. */
export interface EscalationContext {
  deps: EscalationServiceDeps;
  settings: EscalationSettings;
  log: Logger;
  clock: () => Date;
  /** The WeCom session state, cached for display and fresh for actions. */
  wecomState: WecomStateReader;
  /** An entry for the escalation's `actions` trail. */
  action(by: string, name: string, detail?: string): EscalationAction;
  /** Tells analytics about a changed escalation. */
  counted(e: EscalationRecord | null): Promise<void>;
  /** After a first reply: the stored record carries the reply time the repository computed. */
  firstReplied(id: string, replied: boolean): Promise<void>;
  /** The advisor id behind a WeCom servicer, or `wecom:<id>` when no advisor has that account. */
  actorForServicer(servicerId: string): Promise<string>;
}

export function createEscalationContext(deps: EscalationServiceDeps, wecomState: WecomStateReader): EscalationContext {
  const clock = deps.now ?? (() => new Date());
  const counted = async (e: EscalationRecord | null): Promise<void> => {
    if (e) await deps.responses?.escalationChanged(e);
  };
  return {
    deps,
    settings: deps.settings,
    log: deps.logger.child({ module: 'escalation' }),
    clock,
    wecomState,
    action: (by, name, detail) => ({ at: clock(), by, action: name, ...(detail ? { detail } : {}) }),
    counted,
    async firstReplied(id, replied) {
      if (replied) await counted(await deps.escalations.findById(id));
    },
    async actorForServicer(servicerId) {
      const advisor = await deps.advisors.findByWecomUserId(servicerId).catch(() => null);
      return advisor ? advisor.id : `wecom:${servicerId}`;
    },
  };
}
