/** What an entry link's `scene_param` asks for: a flow, and optionally a campaign and a customer reference. */
export interface SceneRequest {
  flowId?: string;
  campaign?: string;
  reference?: string;
}

/**
 * Reads `scene_param` values such as `nps-default`, `nps-default:spring2026` or
 * `nps-default:spring2026:order-123` (URL-decoded first; anything unsafe is ignored).
 */
export function parseSceneParam(sceneParam: string | undefined): SceneRequest {
  if (!sceneParam) return {};
  let text = sceneParam;
  try {
    text = decodeURIComponent(sceneParam);
  } catch {
    // Not URL-encoded: use it as it is.
  }
  const [flowId, campaign, reference] = text.split(/[:|]/).map((part) => part.trim());
  const safe = (value: string | undefined) => (value && /^[\w.-]{1,64}$/.test(value) ? value : undefined);
  return { flowId: safe(flowId), campaign: safe(campaign), reference: safe(reference) };
}
