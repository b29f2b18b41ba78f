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
  updatedAt: Date;
}

export interface FlowRepository {
  /** Stores a new version with the next number for `flowId`. */
  saveVersion(input: { flowId: string; source: string; sourceHash: string; author: string; note?: string; valid: boolean; title?: string }): Promise<StoredFlowVersion>;
  getVersion(flowId: string, version: number): Promise<StoredFlowVersion | null>;
  findByHash(flowId: string, sourceHash: string): Promise<StoredFlowVersion | null>;
  listVersions(flowId: string): Promise<StoredFlowVersion[]>;
  /** Points the flow at `version` (one single-document write). */
  publish(flowId: string, version: number, by: string): Promise<void>;
  get(flowId: string): Promise<FlowSummary | null>;
  list(): Promise<FlowSummary[]>;
  setArchived(flowId: string, archived: boolean): Promise<void>;
}
