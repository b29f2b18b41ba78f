import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { z } from 'zod';
import type { Campaign } from '../core/campaigns.ts';
import { AppError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { createImportFiles, importAudience, type ImportDeps, type ImportFiles, type RowOutcome, type SourcedRow } from './audienceImport.ts';
import { readAudienceRow } from './audienceRow.ts';
import type { CampaignService } from './campaignService.ts';
import type { AudienceRow } from './campaignTypes.ts';
import { invitationUrl } from './planInvitation.ts';
import { measureJson, type JsonSize } from './jsonBounds.ts';
import { chooseCharset, emptySurvey, splitLines, surveyLine, type Charset } from './csvBytes.ts';
import { charsetOf, readAudienceCsv } from './readAudienceCsv.ts';
import { createProblemList, cut, MAX_PROBLEMS_COUNTED, type ProblemList } from './uploadProblems.ts';

/** A CSV upload may be this large (100,000 rows are about 15 MB; at most 200,000 rows are taken). */
export const CSV_LIMIT_BYTES = 64 * 1024 * 1024;
/**
 * JSON rows are read whole (JSON.parse), so they are bounded by what the heap can hold: this many
 * bytes, rows, and objects, arrays and values in all (measured before parsing). Large audiences
 * come as CSV, which is streamed.
 */
export const JSON_LIMIT_BYTES = 8 * 1024 * 1024;
export const JSON_MAX_ROWS = 20_000;
const JSON_MAX_CONTAINERS = 2 * JSON_MAX_ROWS + 2;
const JSON_MAX_VALUES = 40 * JSON_MAX_ROWS;
/** Unknown columns listed in the answer, each name cut to this many characters. */
const MAX_IGNORED_SHOWN = 20;
const MAX_COLUMN_NAME_CHARS = 40;

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

/**
 * `POST /api/campaigns/:id/audience`: CSV (`text/csv`, UTF-8 or GBK) or JSON rows. Two passes so
 * nothing is half-imported: every row is validated and staged to a temporary file first, and any
 * bad row refuses the whole upload (400 AUDIENCE_INVALID listing each line's problems); only then
 * are invitations created, batch by batch, and the outcome streamed back. Rows are never all in
 * memory at once, and a refusal is a few KB whatever the file (see uploadProblems.ts, csvBytes.ts).
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

  /**
   * Three steps over a temporary copy of the body: keep it (bounded lines and size), choose the
   * charset on all of its bytes, then read it line by line. Bad bytes refuse the upload naming
   * their lines; otherwise rows are staged, or their problems listed (bounded).
   */
  async function stageCsv(files: ImportFiles, request: UploadRequest, named: string | undefined, now: Date) {
    const raw = files.path('upload.csv');
    const charset = await keepCsv(request.body, raw, named);
    const staged = files.writer('staged');
    const problems = createProblemList();
    const encoding = createProblemList();
    const ignored: string[] = [];
    try {
      for await (const line of readAudienceCsv(createReadStream(raw), { charset, timeZone: deps.timeZone, now, ignored })) {
        if ('row' in line) await staged.write({ at: line.line, row: line.row });
        else if ('encoding' in line) encoding.add({ line: line.line, message: line.encoding });
        else for (const p of line.problems) problems.add({ line: line.line, ...p });
        if (problems.full || encoding.full) break;
      }
    } finally {
      await staged.close();
    }
    refuseBadEncoding(encoding, charset);
    refuseIfBad(problems, staged.count);
    return { kind: 'line' as const, ignored: listIgnored(ignored) };
  }

  async function stageJson(files: ImportFiles, body: AsyncIterable<Buffer | string>, now: Date) {
    let parsed: unknown;
    try {
      const text = await readWhole(body, JSON_LIMIT_BYTES);
      refuseHeavyJson(measureJson(text));
      parsed = JSON.parse(text);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new ValidationError('BODY_NOT_JSON', 'Request body is not valid JSON');
    }
    const shape = jsonRows.safeParse(parsed);
    if (!shape.success) throw new ValidationError('BODY_INVALID', `Send an array of rows, or {"rows": [...]}, at most ${JSON_MAX_ROWS} rows`);
    const rows = Array.isArray(shape.data) ? shape.data : shape.data.rows;
    const staged = files.writer('staged');
    const problems = createProblemList();
    for (const [index, input] of rows.entries()) {
      const read = readAudienceRow(input, { timeZone: deps.timeZone, now });
      if (read.ok) await staged.write({ at: index + 1, row: read.row });
      else for (const p of read.problems) problems.add({ row: index + 1, ...p });
      if (problems.full) break;
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

function refuseHeavyJson(size: JsonSize): void {
  if (size.containers > JSON_MAX_CONTAINERS || size.values > JSON_MAX_VALUES) {
    throw new ValidationError(
      'BODY_TOO_COMPLEX',
      `The JSON holds ${size.containers} objects and arrays and ${size.values} values; ${JSON_MAX_ROWS} rows need at most ${JSON_MAX_CONTAINERS} and ${JSON_MAX_VALUES}. Send large audiences as CSV`,
    );
  }
}

/** Copies the body to `path` and returns the charset to read it in, chosen on all of its bytes. */
async function keepCsv(body: AsyncIterable<Buffer | string>, path: string, named: string | undefined): Promise<Charset> {
  const out = createWriteStream(path);
  const survey = emptySurvey();
  try {
    for await (const line of splitLines(copiedTo(limited(body, CSV_LIMIT_BYTES), out))) surveyLine(survey, line);
  } finally {
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  return chooseCharset(survey, named);
}

async function* copiedTo(chunks: AsyncIterable<Buffer>, out: WriteStream): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain');
    yield chunk;
  }
}

function refuseBadEncoding(encoding: ProblemList, charset: Charset): void {
  if (!encoding.total) return;
  const lines = encoding.shown().map((p) => p.line);
  throw new ValidationError(
    'AUDIENCE_ENCODING',
    `${encoding.total}${encoding.full ? '+' : ''} line(s) cannot be read as ${charset === 'utf-8' ? 'UTF-8' : 'GBK/GB18030'} (line ${lines.slice(0, 10).join(', ')}${encoding.total > 10 ? ', …' : ''}); nothing was imported. ` +
      'Save the file again as "CSV UTF-8" (or name its charset: ?encoding=gbk) and upload it whole',
    { charset, problems: encoding.shown(), more: encoding.total - encoding.shown().length },
  );
}

function refuseIfBad(problems: ProblemList, rows: number): void {
  if (problems.total) {
    const stopped = problems.full ? ` (reading stopped after ${MAX_PROBLEMS_COUNTED} problems)` : '';
    throw new ValidationError('AUDIENCE_INVALID', `${problems.places} row(s) have problems${stopped}; nothing was imported. Fix them and upload the whole file again`, {
      problems: problems.shown(),
      more: problems.total - problems.shown().length,
    });
  }
  if (rows === 0) throw new ValidationError('AUDIENCE_EMPTY', 'The upload has no rows; the first CSV line names the columns (客户编号/customerRef, 姓名/name, 门店/store…)');
}

/** Unknown columns for the answer: a few, each name short. */
function listIgnored(names: string[]): string[] {
  const shown = names.slice(0, MAX_IGNORED_SHOWN).map((n) => cut(n, MAX_COLUMN_NAME_CHARS));
  return names.length > MAX_IGNORED_SHOWN ? [...shown, `… ${names.length - MAX_IGNORED_SHOWN} more`] : shown;
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
