import type { EntryResolution } from '../core/campaigns.ts';
import { conversationKey, type InboundMessage } from '../core/messages.ts';
import type { CompiledFlow } from '../engine/index.ts';
import type { ConversationDeps } from './conversationTypes.ts';
import { parseSceneParam } from './parseSceneParam.ts';
import type { StartExtra } from './sessionCommits.ts';

/** Which flow a new session starts on: the one an entry link leads to, or the default flow. */
export function createEntryFlows(deps: ConversationDeps, clock: () => Date) {
  const log = deps.logger.child({ module: 'conversation' });

  /**
   * The flow an entry link starts and what the session records: a valid invitation names its
   * campaign's flow and attributes; a refused one (forged, expired, reused) gets the default flow
   * and nothing from it; any other `scene_param` names a flow only: unsigned, it attributes
   * nothing (what follows the flow id is logged and dropped).
   */
  async function entryStart(message: Extract<InboundMessage, { kind: 'enter_session' }>): Promise<{ flow: CompiledFlow; extra: StartExtra } | null> {
    const { sceneParam } = message;
    const entry: EntryResolution =
      sceneParam && deps.entries
        ? await deps.entries.resolve({ conversation: message.conversation, scene: message.scene, sceneParam, messageId: message.id, now: clock() })
        : { kind: 'not_invitation' };
    if (entry.kind === 'refused') return withFlow(await defaultFlow(), {});
    if (entry.kind === 'invitation') {
      const extra = { campaign: entry.attribution.campaignId, attribution: entry.attribution, customerFields: entry.customerFields };
      const named = await deps.catalog.published(entry.flowId).catch(() => null);
      if (!named) log.warn({ flowId: entry.flowId, campaignId: entry.attribution.campaignId }, 'the campaign names a flow that is not published; using the default flow');
      return withFlow(named ?? (await defaultFlow()), extra);
    }
    const scene = parseSceneParam(sceneParam);
    if (scene.ignored !== undefined) {
      log.warn({ conversationKey: conversationKey(message.conversation), flowId: scene.flowId, ignored: scene.ignored }, 'unsigned entry parameter names more than a flow; only invitations attribute a session, the rest is ignored');
    }
    return withFlow(await entryFlow(scene.flowId, sceneParam), {});
  }

  function withFlow(flow: CompiledFlow | null, extra: StartExtra): { flow: CompiledFlow; extra: StartExtra } | null {
    return flow ? { flow, extra } : null;
  }

  async function defaultFlow(): Promise<CompiledFlow | null> {
    const flow = await deps.catalog.published(deps.settings.defaultFlowId);
    if (!flow) log.error({ flowId: deps.settings.defaultFlowId }, 'default flow is not published; cannot start a survey');
    return flow;
  }

  /** The flow a plain entry link names, or the default flow. */
  async function entryFlow(flowId: string | undefined, sceneParam: string | undefined): Promise<CompiledFlow | null> {
    const requested = flowId ? await deps.catalog.published(flowId).catch(() => null) : null;
    if (flowId && !requested) log.warn({ sceneParam }, 'entry link names an unknown flow; using the default flow');
    return requested ?? (await defaultFlow());
  }

  return { entryStart, defaultFlow };
}
