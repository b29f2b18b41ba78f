import type { WebhookEndpointStore } from '../ports.ts';
import type { WebhookEndpoint } from '../types.ts';

const ENDPOINT_CACHE_MS = 5_000;

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint | null;
  secret: string | null;
}

export type EndpointCache = ReturnType<typeof createEndpointCache>;

/**
 * Endpoints as publishing and sending read them, kept a few seconds: every event needs the
 * active list and every attempt its endpoint and secret, which change only by an admin's hand.
 */
export function createEndpointCache(store: WebhookEndpointStore) {
  let active: { at: number; endpoints: WebhookEndpoint[] } | undefined;
  const signing = new Map<string, EndpointWithSecret & { at: number }>();
  return {
    async active(): Promise<WebhookEndpoint[]> {
      if (!active || Date.now() - active.at > ENDPOINT_CACHE_MS) active = { at: Date.now(), endpoints: (await store.list()).filter((e) => e.active) };
      return active.endpoints;
    },
    async withSecret(id: string): Promise<EndpointWithSecret> {
      const hit = signing.get(id);
      if (hit && Date.now() - hit.at < ENDPOINT_CACHE_MS) return hit;
      const [endpoint, secret] = await Promise.all([store.get(id), store.secret(id)]);
      const entry = { at: Date.now(), endpoint, secret };
      signing.set(id, entry);
      return entry;
    },
    /** After an admin's change: the list is read again, and so is the endpoint `id` names. */
    forget(id?: string): void {
      active = undefined;
      if (id !== undefined) signing.delete(id);
    },
  };
}
