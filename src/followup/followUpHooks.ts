import type { FollowUpHooks, SessionMilestoneReport } from '../conversation/conversationService.ts';
import type { Logger } from '../core/logger.ts';
import type { Flow } from '../engine/index.ts';
import type { CustomerTagStore, FollowUpLog } from './ports.ts';
import { evaluateRules, readRuleFacts, tagsFor, type FiredRule } from './rules.ts';
import type { TagJob } from './tags/tagSync.ts';
import { taskIdFor, type TaskService } from './tasks/taskService.ts';
import { milestoneEventTypes, type CustomerTag, type FollowUpAction } from './types.ts';
import { surveyData } from './webhooks/payloads.ts';
import type { WebhookService } from './webhooks/webhookService.ts';

export interface FollowUpHookDeps {
  /** The flow version a session ran on. */
  flowOf: (flowId: string, version: number) => Promise<Flow>;
  tasks: Pick<TaskService, 'createFromRules' | 'link'>;
  tags: CustomerTagStore;
  /** Queues the WeCom tag job; absent without 客户联系 credentials (tags stay in huifang). */
  tagJobs?: { add(job: TagJob, options: { jobId: string }): Promise<void> };
  webhooks: Pick<WebhookService, 'publish'>;
  log: FollowUpLog;
  /** Absolute base URL, for links in payloads. */
  publicUrl: string;
  /** The survey time zone (purchase windows are its calendar days). */
  timeZone: string;
  logger: Logger;
}

const MILESTONE_TEXT = { completed: '问卷完成', escalated: '转人工', opted_out: '顾客退订' } as const;

/**
 * What the conversation layer calls for each session milestone in a saved outbox. It only
 * records and enqueues, every step keyed so a replay repeats nothing: rules evaluated (pure),
 * tasks inserted once per session and rule, tags stored (and a WeCom tag job queued once per
 * session and milestone), one webhook delivery per endpoint and milestone queued, and the
 * session's follow-up log appended under fixed keys. Webhooks and WeCom calls run in jobs.
 */
export function createFollowUpHooks(deps: FollowUpHookDeps): FollowUpHooks {
  const log = deps.logger.child({ module: 'followup' });

  async function afterMilestone({ session, event, at }: SessionMilestoneReport): Promise<void> {
    const flow = await deps.flowOf(session.flowId, session.flowVersion);
    const facts = readRuleFacts(session, flow, event, deps.timeZone);
    // Rules and tags are about answers; an opt-out only tells the merchant's systems.
    const fired: FiredRule[] = event === 'opted_out' ? [] : evaluateRules(flow.followUp.rules, facts);
    const tags = event === 'opted_out' ? [] : tagsFor(facts, flow.followUp.tags, fired);
    // Task ids follow from session and rule, so the three independent writes run side by side.
    const taskIds = fired.flatMap((r) => (r.task ? [taskIdFor(session.id, r.ruleId)] : []));
    const [, , deliveries] = await Promise.all([
      deps.tasks.createFromRules(session, fired, facts, at),
      tags.length ? setTags(session.conversationKey, tags, { ...session, event, at }) : Promise.resolve(),
      deps.webhooks.publish({
      type: milestoneEventTypes[event],
      eventKey: `${session.id}:${event}`,
      at,
      sessionId: session.id,
      data: surveyData(facts.facts, {
        ...(facts.segment ? { segment: facts.segment } : {}),
        rules: fired.map((r) => r.ruleId),
        taskIds,
        tags,
        links: { session: `${deps.publicUrl}/api/sessions/${session.id}`, ...Object.fromEntries(taskIds.map((id) => [`task:${id}`, deps.tasks.link(id)])) },
        ...(event === 'escalated' && session.escalation ? { escalation: { trigger: session.escalation.trigger, reason: session.escalation.reason } } : {}),
      }),
      }),
    ]);
    const entry = (key: string, action: string, detail: string): FollowUpAction & { key: string } => ({ key: `${event}:${key}`, at, by: 'system', action, detail });
    await deps.log.append(session.id, [
      entry('milestone', event, MILESTONE_TEXT[event]),
      ...(fired.length ? [entry('rules', 'rules_fired', fired.map((r) => r.ruleId).join('、'))] : []),
      ...taskIds.map((id) => entry(`task:${id}`, 'task_created', id)),
      ...(tags.length ? [entry('tags', 'tags_set', tags.map((t) => t.name).join('、'))] : []),
      ...(deliveries.length ? [entry('webhooks', 'webhook_queued', `${milestoneEventTypes[event]} × ${deliveries.length}`)] : []),
    ]);
    log.info({ sessionId: session.id, event, rules: fired.length, tasks: taskIds.length, tags: tags.length, deliveries: deliveries.length }, 'follow-up recorded');
  }

  async function setTags(key: string, tags: CustomerTag[], s: { id: string; conversation: TagJob['conversation']; event: string; at: Date }): Promise<void> {
    const current = await deps.tags.get(key);
    // A replayed outbox of an older session must not undo a newer session's tags.
    if (current && current.sessionId !== s.id && current.updatedAt.getTime() > s.at.getTime()) return;
    await deps.tags.set(key, tags, s.id, s.at);
    await deps.tagJobs?.add({ conversationKey: key, conversation: s.conversation, sessionId: s.id }, { jobId: `tags-${s.id}-${s.event}` });
  }

  return { afterMilestone };
}
