/** What a plain (unsigned) entry link's `scene_param` asks for: a flow, and nothing else. */
export interface SceneRequest {
  flowId?: string;
  /** Whatever followed the flow id (`:spring2026`…): ignored, since anyone can write it. */
  ignored?: string;
}

/**
 * Reads a plain `scene_param` such as `nps-default` (URL-decoded first; an unsafe flow id is
 * ignored). Only a signed invitation may attribute a session to a campaign: anything after the
 * flow id (`nps-default:<campaignId>`) is handed back as `ignored`, for the log, and never
 * reaches the session.
 *
 * @example
 * parseSceneParam('nps-default:spring2026'); // { flowId: 'nps-default', ignored: 'spring2026' }
 */
export function parseSceneParam(sceneParam: string | undefined): SceneRequest {
  if (!sceneParam) return {};
  let text = sceneParam;
  try {
    text = decodeURIComponent(sceneParam);
  } catch {
    // Not URL-encoded: use it as it is.
  }
  const separator = text.search(/[:|]/);
  const flowId = (separator === -1 ? text : text.slice(0, separator)).trim();
  const rest = separator === -1 ? '' : text.slice(separator + 1).trim();
  return {
    ...(/^[\w.-]{1,64}$/.test(flowId) ? { flowId } : {}),
    ...(rest ? { ignored: rest.slice(0, 64) } : {}),
  };
}
