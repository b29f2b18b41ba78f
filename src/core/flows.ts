/**
 * Stored survey flow versions. Every save is a new immutable version; one version per flow is
 * published. `store/` implements the repository on MongoDB.
 */

export interface StoredFlowVersion {
  flowId: string;
  version: number;
  /** The flow definition as YAML text, exactly as saved. */
  source: string;
  /** sha256 of `source`, to recognise content already stored. */
  sourceHash: string;
  author: string;
  note?: string;
  /** Whether the definition validated when saved (drafts may be invalid). */
  valid: boolean;
  createdAt: Date;
}

export interface FlowSummary {
  flowId: string;
  title?: string;
  publishedVersion: number | null;
  latestVersion: number;
  archived: boolean;
  /** Who published the current version, and when (absent before the first publish). */
  publishedBy?: string;
  publishedAt?: Date;
  updatedAt: Date;
}

/** Input of a new version (the number is allocated by the repository). */
export interface NewFlowVersion {
  flowId: string;
  source: string;
  sourceHash: string;
  author: string;
  note?: string;
  valid: boolean;
  title?: string;
}

export interface FlowRepository {
  /** Stores a new version with the next number for `flowId`. */
  saveVersion(input: NewFlowVersion): Promise<StoredFlowVersion>;
  /**
   * Stores version `basedOn + 1`, but only if `basedOn` is still the newest version (0 for a new
   * flow): an editor's save must not silently follow someone else's. Returns null when another
   * version was saved since (the caller reports the conflict).
   */
  saveNextVersion(input: NewFlowVersion, basedOn: number): Promise<StoredFlowVersion | null>;
  /** The newest version, or null when the flow has none. */
  latestVersion(flowId: string): Promise<StoredFlowVersion | null>;
  getVersion(flowId: string, version: number): Promise<StoredFlowVersion | null>;
  findByHash(flowId: string, sourceHash: string): Promise<StoredFlowVersion | null>;
  listVersions(flowId: string): Promise<StoredFlowVersion[]>;
  /** Points the flow at `version` (one single-document write). */
  publish(flowId: string, version: number, by: string): Promise<void>;
  get(flowId: string): Promise<FlowSummary | null>;
  list(): Promise<FlowSummary[]>;
  setArchived(flowId: string, archived: boolean): Promise<void>;
}
