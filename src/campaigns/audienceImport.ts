import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Campaign, CampaignState, GateRequest, Invitation, InvitationStore, SkipReason } from '../core/campaigns.ts';
import type { AudienceRow } from './campaignTypes.ts';
import { planInvitation, sampledIn, type PlannedInvitation } from './planInvitation.ts';

/**
 * Creating invitations from audience rows, a batch at a time: plan (id, link, send time), sample,
 * pass the gate (consent, fatigue, daily cap: one atomic Redis step per batch), store (one
 * insertMany per batch; a duplicate id gives its gate places back) and count. Memory holds one
 * batch; the caller streams rows in and outcomes out.
 */

export const IMPORT_BATCH = 1000;

export interface ImportDeps {
  invitations: InvitationStore;
  state: CampaignState;
  secret: Buffer;
  timeZone: string;
  fatigueDays: number;
  /** Called with each batch's new invitations (e.g. to schedule mass sends). */
  onCreated?: (campaign: Campaign, created: Invitation[]) => Promise<void>;
}

/** Where a row came from: a CSV line, a JSON row index, an event id. */
export interface SourcedRow {
  at: number;
  row: AudienceRow;
}

export type RowOutcome = { at: number; customerRef: string } & ({ invited: Invitation } | { skipped: SkipReason; invitationId: string });

/** Imports rows into `campaign`; yields one outcome per row, in order within each batch. */
export async function* importAudience(deps: ImportDeps, campaign: Campaign, rows: AsyncIterable<SourcedRow>, context: { now: Date; source: Invitation['source'] }): AsyncGenerator<RowOutcome> {
  let batch: SourcedRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= IMPORT_BATCH) {
      yield* await importBatch(deps, campaign, batch, context);
      batch = [];
    }
  }
  if (batch.length) yield* await importBatch(deps, campaign, batch, context);
}

async function importBatch(deps: ImportDeps, campaign: Campaign, batch: SourcedRow[], context: { now: Date; source: Invitation['source'] }): Promise<RowOutcome[]> {
  const planned = batch.map((b, index) => ({ index, at: b.at, plan: planInvitation(campaign, b.row, { secret: deps.secret, now: context.now, timeZone: deps.timeZone, source: context.source }) }));
  const outcomes = new Map<number, SkipReason | 'invited'>();
  const gated = planned.filter((p) => {
    if (sampledIn(p.plan.invitation.id, campaign.samplingRate)) return true;
    outcomes.set(p.index, 'sampled_out');
    return false;
  });
  const requests: GateRequest[] = gated.map((p) => gateRequest(p.plan));
  const decisions = await deps.state.admit(campaign, requests, deps.fatigueDays * 86_400, context.now);
  const admitted: Array<{ index: number; plan: PlannedInvitation }> = [];
  gated.forEach((p, k) => {
    const decision = decisions[k] ?? 'fatigue';
    if (decision === 'admitted') admitted.push({ index: p.index, plan: p.plan });
    else outcomes.set(p.index, decision);
  });
  const { duplicates } = await storeAdmitted(deps, campaign, admitted.map((a) => a.plan));
  const duplicateIds = new Set(duplicates);
  const created: Invitation[] = [];
  for (const a of admitted) {
    if (duplicateIds.has(a.plan.invitation.id)) outcomes.set(a.index, 'duplicate');
    else {
      outcomes.set(a.index, 'invited');
      created.push(a.plan.invitation);
    }
  }
  const counts: Record<string, number> = { invited: created.length };
  for (const outcome of outcomes.values()) if (outcome !== 'invited') counts[`skipped:${outcome}`] = (counts[`skipped:${outcome}`] ?? 0) + 1;
  await deps.state.count(campaign.id, counts);
  if (created.length) await deps.onCreated?.(campaign, created);
  return planned.map((p) => {
    const outcome = outcomes.get(p.index)!;
    const base = { at: p.at, customerRef: p.plan.invitation.customerRef };
    return outcome === 'invited' ? { ...base, invited: p.plan.invitation } : { ...base, skipped: outcome, invitationId: p.plan.invitation.id };
  });
}

/** Stores admitted invitations; on failure or for duplicates, their gate places are given back. */
async function storeAdmitted(deps: ImportDeps, campaign: Campaign, plans: PlannedInvitation[]): Promise<{ duplicates: string[] }> {
  if (!plans.length) return { duplicates: [] };
  let result: { duplicates: string[] };
  try {
    result = await deps.invitations.insertMany(campaign.id, plans.map((p) => p.invitation));
  } catch (error) {
    await deps.state.release(campaign.id, plans.map(gateRequest)).catch(() => undefined);
    throw error;
  }
  const duplicate = new Set(result.duplicates);
  // An invitation stored earlier (its fatigue window had passed): the old one stands, nothing is held for it.
  await deps.state.release(campaign.id, plans.filter((p) => duplicate.has(p.invitation.id)).map(gateRequest));
  return result;
}

function gateRequest(plan: PlannedInvitation): GateRequest {
  return { invitationId: plan.invitation.id, identities: plan.identities, capDay: plan.capDay };
}

/** Temporary NDJSON files for one import (staged rows, outcomes), removed by `dispose`. */
export interface ImportFiles {
  dir: string;
  /** The path of a file of this import (for raw bytes). */
  path(name: string): string;
  writer(name: string): NdjsonWriter;
  lines<T>(name: string): AsyncGenerator<T>;
  dispose(): Promise<void>;
}

export interface NdjsonWriter {
  write(value: unknown): Promise<void>;
  close(): Promise<void>;
  readonly count: number;
}

export async function createImportFiles(): Promise<ImportFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'hf-audience-'));
  return {
    dir,
    path: (name) => join(dir, name),
    writer(name) {
      const stream: WriteStream = createWriteStream(join(dir, name));
      let count = 0;
      return {
        get count() {
          return count;
        },
        async write(value) {
          count += 1;
          if (!stream.write(`${JSON.stringify(value)}\n`)) await once(stream, 'drain');
        },
        async close() {
          await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
        },
      };
    },
    async *lines<T>(name: string) {
      const reader = createInterface({ input: createReadStream(join(dir, name)), crlfDelay: Infinity });
      for await (const line of reader) if (line) yield JSON.parse(line) as T;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
