import type { EscalationRecord } from '../core/escalations.ts';
import type { Flow } from '../engine/index.ts';
import type { SessionView } from '../sessionFacts/fromSession.ts';
import type { ResponseFacts } from '../sessionFacts/types.ts';

/**
 * What analytics needs from the outside world. `store/` implements the storage ports (Redis
 * rollups, MongoDB records); main.ts wires the flow definitions from the flow store.
 */

/**
 * Told about every saved change of a session or an escalation. Idempotent (the same revision
 * twice counts once) and safe out of order (an older revision arriving late changes nothing).
 * Never throws: a failure is logged, and the session's next save or `analytics rebuild` heals it.
 */
export interface ResponseRecorder {
  sessionChanged(session: SessionView): Promise<void>;
  escalationChanged(escalation: EscalationRecord): Promise<void>;
}

/** Which rollup generation a change goes to: the live one (and a rebuild in progress), or only the one being rebuilt. */
export type RollupTarget = { kind: 'live' } | { kind: 'rebuild'; token: string };

/** A rollup period: a day (`YYYY-MM-DD`) or a month (`YYYY-MM`). */
export type Period = { kind: 'day' | 'month'; key: string };

/** A quote as listed: `member` is `<sessionId>|<stepId>`, `score` the answer time (ms). */
export interface StoredQuote {
  member: string;
  score: number;
  /** JSON `{t: text, tp: topics, se: sentiment}` as written by fields.ts. */
  text: string;
  /** The list it came from, `<group>:<topic or *>`. */
  list: string;
}

export interface RollupStore {
  /**
   * Atomically replaces what one part of a response (`s` for the session, `e:<id>` per
   * escalation) contributes, if `revision` is newer than that part's last one: the previous
   * contribution is subtracted and the new one added in one step. False when stale or repeated.
   */
  apply(change: { flowId: string; responseId: string; part: string; revision: number; contribution: Contribution }, target?: RollupTarget): Promise<boolean>;
  /** Months (`YYYY-MM`) that have data. */
  months(flowId: string): Promise<string[]>;
  /** Every cell of the flow with its attributes. */
  cells(flowId: string): Promise<Map<string, CellDims>>;
  /** Counters of each period, summed over `cells` (null: all cells). One map per period, in order. */
  read(flowId: string, periods: readonly Period[], cells: readonly string[] | null): Promise<Array<Map<string, number>>>;
  /**
   * Forgets the open facts of a response once its record is stored, unless a newer revision
   * replaced them meanwhile.
   */
  dropOpen(flowId: string, responseId: string, revision: number): Promise<void>;
  /** Facts (JSON) of responses not yet stored as records: open sessions, and any whose record write failed. */
  openResponses(flowId: string): AsyncIterable<string>;
  /** Newest quotes first from the given lists and months, answer time within the range. */
  quotes(flowId: string, query: { months: readonly string[]; lists: readonly string[]; fromMs: number; toMs: number; limit: number }): Promise<StoredQuote[]>;
  /** The current cell of each response (for filtering quotes by attributes). */
  responseCells(flowId: string, responseIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Starts an empty generation that live changes also go to; returns its token. Refused while
   * another rebuild of the flow runs, unless `force` (e.g. after an interrupted one).
   */
  beginRebuild(flowId: string, options?: { force?: boolean }): Promise<string>;
  /** Makes the rebuilt generation the live one and drops the old one. */
  finishRebuild(flowId: string, token: string): Promise<void>;
  /** Gives up a rebuild: drops its generation; the live one stays as it was. */
  abortRebuild(flowId: string, token: string): Promise<void>;
}

/**
 * The per-response records of settled sessions (one per session, keyed by session id): written
 * once with an insert when the session completes, opts out or expires.
 */
export interface ResponseRecordStore {
  /** Stores the facts unless a newer revision is stored already. */
  save(facts: ResponseFacts): Promise<void>;
  get(sessionId: string): Promise<ResponseFacts | null>;
  /** Records of a flow whose session started within the days (inclusive), streamed. */
  stream(query: { flowId: string; fromDay?: string; toDay?: string }): AsyncIterable<ResponseFacts>;
  /** Stored revision per session of a flow (rebuild). */
  revisions(flowId: string): Promise<Map<string, number>>;
  /** Inserts records known to be new (rebuild, in batches). */
  insertMany(facts: readonly ResponseFacts[]): Promise<void>;
}

/** Flow definitions as stored. */
export interface FlowDefinitions {
  /** The version a session ran on. */
  version(flowId: string, version: number): Promise<Flow>;
  /** Every valid stored version, newest first. */
  versions(flowId: string): Promise<Flow[]>;
  list(): Promise<Array<{ flowId: string; title?: string }>>;
}

/** Where a rebuild reads from: every session and escalation of a flow, streamed. */
export interface AnalyticsSources {
  sessions(flowId: string): AsyncIterable<SessionView>;
  escalations(flowId: string): AsyncIterable<EscalationRecord>;
}

/** Counter fields a response adds (+1 each) to the rollup of one day. */
export interface RollupLine {
  /** YYYY-MM-DD in the survey time zone. */
  day: string;
  fields: string[];
}

/** A quote kept for display in capped per-month lists (`<group>:*` and `<group>:<topic>`). */
export interface QuoteEntry {
  /** Answer time, ms (the list order). */
  score: number;
  /** YYYY-MM */
  month: string;
  /** `<sessionId>|<stepId>` */
  member: string;
  text: string;
  lists: string[];
}

/**
 * What one part of a response (its session, or one of its escalations) adds to the rollups.
 * Only the session part names the cell (the combination of filter attributes the counts are
 * filed under); escalation parts follow their session's cell.
 */
export interface Contribution {
  cell?: { id: string; dims: CellDims };
  lines: RollupLine[];
  quotes: QuoteEntry[];
  /**
   * The session's facts as JSON, kept beside its counters (in the same atomic step, so under the
   * same revision rule) until its settled record is stored: open sessions have no record in
   * MongoDB, where every update of a big collection is slow on FerretDB.
   */
  open?: string;
}

/** The filter attributes of a rollup cell: flow version, segment ('' until completed), dimensions. */
export type CellDims = Record<string, string>;
