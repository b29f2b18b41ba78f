import { z } from 'zod';
import type { Campaign } from '../core/campaigns.ts';
import { AppError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { createImportFiles, importAudience, type ImportDeps, type ImportFiles, type RowOutcome, type SourcedRow } from './audienceImport.ts';
import { readAudienceRow } from './audienceRow.ts';
import type { CampaignService } from './campaignService.ts';
import type { AudienceRow } from './campaignTypes.ts';
import { invitationUrl } from './planInvitation.ts';
import { charsetOf, readAudienceCsv } from './readAudienceCsv.ts';

/** A CSV upload may be this large (100,000 rows are about 15 MB). */
export const CSV_LIMIT_BYTES = 200 * 1024 * 1024;
/** JSON rows are read whole: this many bytes and rows at most. */
export const JSON_LIMIT_BYTES = 20 * 1024 * 1024;
export const JSON_MAX_ROWS = 100_000;
/** Problems listed in a refusal (the message says how many there were in all). */
const MAX_PROBLEMS_SHOWN = 10_000;

export interface UploadRequest {
  body: AsyncIterable<Buffer | string>;
  contentType: string;
  /** `?encoding=gbk` for CSV files whose Content-Type names no charset; `?details=summary` leaves the lists out. */
  query: Record<string, unknown>;
}

export interface UploadResult {
  summary: { received: number; invited: number; skipped: number; skippedByReason: Record<string, number> };
  /** The JSON answer, streamed from temporary files (removed once it has been read). */
  body: AsyncGenerator<string>;
}

const uploadQuery = z.object({
  encoding: z.enum(['utf-8', 'utf8', 'gbk', 'gb2312', 'gb18030']).optional(),
  details: z.enum(['full', 'summary']).default('full'),
});
const jsonRows = z.union([z.array(z.unknown()).max(JSON_MAX_ROWS), z.object({ rows: z.array(z.unknown()).max(JSON_MAX_ROWS) }).strict()]);

interface Problem {
  line?: number;
  row?: number;
  field?: string;
  message: string;
}

/**
 * `POST /api/campaigns/:id/audience`: CSV (`text/csv`, UTF-8 or GBK) or JSON rows. Two passes so
 * nothing is half-imported: every row is validated and staged to a temporary file first, and any
 * bad row refuses the whole upload (400 AUDIENCE_INVALID listing each line's problems); only then
 * are invitations created, batch by batch, and the outcome streamed back. Rows are never all in
 * memory at once.
 */
export function createAudienceUpload(deps: { campaigns: CampaignService; importDeps: ImportDeps; timeZone: string; now: () => Date; logger: Logger }) {
  const log = deps.logger.child({ module: 'campaign-audience' });

  async function receive(request: UploadRequest, campaign: Campaign): Promise<UploadResult> {
    const query = uploadQuery.safeParse(request.query);
    if (!query.success) throw new ValidationError('QUERY_INVALID', query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (campaign.status !== 'active') throw new AppError('CAMPAIGN_NOT_ACTIVE', `Campaign ${campaign.id} is ${campaign.status}; set it active to invite customers`, { status: 409 });
    const csv = /^text\/csv\b|^application\/csv\b|^text\/plain\b/i.test(request.contentType);
    if (!csv && !/^application\/json\b/i.test(request.contentType)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the audience as text/csv (UTF-8 or GBK) or application/json rows', { status: 415 });
    }
    const now = deps.now();
    const files = await createImportFiles();
    try {
      const staged = csv
        ? await stageCsv(files, request, query.data.encoding ?? charsetOf(request.contentType), now)
        : await stageJson(files, request.body, now);
      const linked = await deps.campaigns.withLink(campaign);
      const summary = await createInvitations(files, linked, staged.kind, now);
      log.info({ campaignId: campaign.id, ...summary, source: staged.kind }, 'audience imported');
      return { summary, body: answer(files, linked.id, summary, staged.ignored, query.data.details === 'full', staged.kind) };
    } catch (error) {
      await files.dispose();
      throw error;
    }
  }

  async function stageCsv(files: ImportFiles, request: UploadRequest, charset: string | undefined, now: Date) {
    const staged = files.writer('staged');
    const problems: Problem[] = [];
    const ignored: string[] = [];
    for await (const line of readAudienceCsv(limited(request.body, CSV_LIMIT_BYTES), { charset, timeZone: deps.timeZone, now, ignored })) {
      if ('row' in line) await staged.write({ at: line.line, row: line.row });
      else problems.push(...line.problems.map((p) => ({ line: line.line, ...p })));
    }
    await staged.close();
    refuseIfBad(problems, staged.count);
    return { kind: 'line' as const, ignored };
  }

  async function stageJson(files: ImportFiles, body: AsyncIterable<Buffer | string>, now: Date) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readWhole(body, JSON_LIMIT_BYTES));
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new ValidationError('BODY_NOT_JSON', 'Request body is not valid JSON');
    }
    const shape = jsonRows.safeParse(parsed);
    if (!shape.success) throw new ValidationError('BODY_INVALID', `Send an array of rows, or {"rows": [...]}, at most ${JSON_MAX_ROWS} rows`);
    const rows = Array.isArray(shape.data) ? shape.data : shape.data.rows;
    const staged = files.writer('staged');
    const problems: Problem[] = [];
    for (const [index, input] of rows.entries()) {
      const read = readAudienceRow(input, { timeZone: deps.timeZone, now });
      if (read.ok) await staged.write({ at: index + 1, row: read.row });
      else problems.push(...read.problems.map((p) => ({ row: index + 1, ...p })));
    }
    await staged.close();
    refuseIfBad(problems, staged.count);
    return { kind: 'row' as const, ignored: [] as string[] };
  }

  async function createInvitations(files: ImportFiles, campaign: Campaign & { contactWay: NonNullable<Campaign['contactWay']> }, at: 'line' | 'row', now: Date) {
    const invited = files.writer('invited');
    const skipped = files.writer('skipped');
    const skippedByReason: Record<string, number> = {};
    let received = 0;
    for await (const outcome of importAudience(deps.importDeps, campaign, revive(files.lines<SourcedRow>('staged')), { now, source: 'upload' })) {
      received += 1;
      if ('invited' in outcome) await invited.write(invitationView(outcome, campaign.contactWay.url, at));
      else {
        skippedByReason[outcome.skipped] = (skippedByReason[outcome.skipped] ?? 0) + 1;
        await skipped.write({ [at]: outcome.at, customerRef: outcome.customerRef, reason: outcome.skipped, invitationId: outcome.invitationId });
      }
    }
    await Promise.all([invited.close(), skipped.close()]);
    return { received, invited: invited.count, skipped: skipped.count, skippedByReason };
  }

  return { receive };
}

export type AudienceUpload = ReturnType<typeof createAudienceUpload>;

function refuseIfBad(problems: Problem[], rows: number): void {
  if (problems.length) {
    const lines = new Set(problems.map((p) => p.line ?? p.row)).size;
    throw new ValidationError('AUDIENCE_INVALID', `${lines} row(s) have problems; nothing was imported. Fix them and upload the whole file again`, {
      problems: problems.slice(0, MAX_PROBLEMS_SHOWN),
    });
  }
  if (rows === 0) throw new ValidationError('AUDIENCE_EMPTY', 'The upload has no rows; the first CSV line names the columns (客户编号/customerRef, 姓名/name, 门店/store…)');
}

function invitationView(outcome: Extract<RowOutcome, { invited: unknown }>, contactUrl: string, at: 'line' | 'row') {
  const i = outcome.invited;
  return { [at]: outcome.at, customerRef: i.customerRef, invitationId: i.id, sceneParam: i.sceneParam, url: invitationUrl(contactUrl, i.sceneParam), sendAt: i.sendAt.toISOString(), expiresAt: i.expiresAt.toISOString() };
}

/** Staged rows come back from JSON: dates are revived. */
async function* revive(rows: AsyncIterable<SourcedRow>): AsyncGenerator<SourcedRow> {
  for await (const staged of rows) {
    const row = staged.row as AudienceRow & { visitAt?: string | Date };
    yield { at: staged.at, row: row.visitAt ? { ...row, visitAt: new Date(row.visitAt) } : row };
  }
}

/** The JSON answer, written piece by piece from the outcome files; the files go when it ends. */
async function* answer(files: ImportFiles, campaignId: string, summary: UploadResult['summary'], ignored: string[], details: boolean, at: 'line' | 'row'): AsyncGenerator<string> {
  try {
    yield `{"campaignId":${JSON.stringify(campaignId)},"received":${summary.received},"invited":${summary.invited},"skippedCount":${summary.skipped},`;
    yield `"skippedByReason":${JSON.stringify(summary.skippedByReason)},"ignoredColumns":${JSON.stringify(ignored)},"rowsNumberedBy":${JSON.stringify(at)}`;
    if (details) {
      for (const name of ['invited', 'skipped']) {
        yield `,"${name === 'invited' ? 'invitations' : 'skipped'}":[`;
        let first = true;
        let chunk = '';
        for await (const item of files.lines<unknown>(name)) {
          chunk += `${first ? '' : ','}${JSON.stringify(item)}`;
          first = false;
          if (chunk.length > 64 * 1024) {
            yield chunk;
            chunk = '';
          }
        }
        yield `${chunk}]`;
      }
    }
    yield '}';
  } finally {
    await files.dispose();
  }
}

/** Passes the body on, refusing it (413) once it is larger than `limit` bytes. */
async function* limited(body: AsyncIterable<Buffer | string>, limit: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > limit) throw new AppError('BODY_TOO_LARGE', `The upload is larger than ${Math.round(limit / 1024 / 1024)} MB; split it into several files`, { status: 413 });
    yield buffer;
  }
}

async function readWhole(body: AsyncIterable<Buffer | string>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of limited(body, limit)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
