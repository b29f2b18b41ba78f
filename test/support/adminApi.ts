import { readFile } from 'node:fs/promises';
import type { RunningService } from '../../src/main.ts';
import { ADMIN_TOKEN } from './serviceHarness.ts';

/** A JSON answer from the admin API. */
export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Calls the admin API as the holder of `token` (ADMIN_TOKEN unless given; null for none). */
export function adminApi(service: RunningService, token: string | null = ADMIN_TOKEN) {
  async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${service.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }
  return {
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body: unknown = {}) => call<T>('POST', path, body),
    delete: <T = Record<string, unknown>>(path: string) => call<T>('DELETE', path),
  };
}

/** Creates a user with `role` through the API and returns their token. */
export async function createUser(service: RunningService, name: string, role: 'viewer' | 'editor' | 'admin'): Promise<string> {
  const res = await adminApi(service).post<{ token: string }>('/api/users', { name, role });
  if (res.status !== 201) throw new Error(`could not create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** The shipped default flow's YAML. */
export const shippedNps = () => readFile('flows/nps-default.yaml', 'utf8');
