/**
 * The survey flow engine: flow files (YAML, zod-validated) compiled to XState machines, run one
 * pure turn at a time. This file is the folder's only public surface.
 */

// Commonly used: load, compile, run.
export { EXCESSIVE_ALIASES, parseFlow } from './definition/parseFlow.ts';
export type { ParseFlowResult } from './definition/parseFlow.ts';
export { loadFlowFile } from './definition/loadFlowFile.ts';
export { compileFlow } from './compile/compileFlow.ts';
export type { CompiledFlow } from './compile/compileFlow.ts';
export { runTurn, startSession, currentStepId } from './runtime/runTurn.ts';
export type {
  AnswerValue,
  Awaiting,
  EngineEffect,
  EngineEvent,
  EscalationTrigger,
  RecordedAnswer,
  SessionStatus,
  TurnResult,
} from './runtime/turnResult.ts';
export { readInPassing } from './runtime/readInPassing.ts';
export { passingQuestions } from './runtime/passingQuestions.ts';
export { persistedSnapshotSchema } from './runtime/persistedSnapshot.ts';
export type { PersistedSnapshot } from './runtime/persistedSnapshot.ts';
export { FlowInvalidError, SnapshotMismatchError } from './engineErrors.ts';

// Flow definitions.
export { flowSchema, defaultTexts, isQuestionStep, segmentsSchema, segmentNames, followUpEvents, autoTagGroups } from './definition/flowSchema.ts';
export type {
  Flow,
  FlowInput,
  Step,
  StepKind,
  QuestionStep,
  NpsGroup,
  Condition,
  SegmentSettings,
  FollowUpCondition,
  FollowUpRule,
  FollowUpSettings,
} from './definition/flowSchema.ts';
export { validateFlow } from './definition/validateFlow.ts';
export { formatProblem } from './definition/flowProblem.ts';
export type { FlowProblem } from './definition/flowProblem.ts';
export { createFlowJsonSchema } from './definition/createFlowJsonSchema.ts';
export { describeQuestion } from './definition/describeQuestion.ts';
export { npsGroupOf } from './definition/npsGroupOf.ts';

// The catalogue of published flows: files and the store in, compiled flows by id and version out.
export { createFlowCatalog, hashFlowSource } from './flowCatalog.ts';
export type { FlowCatalog, FlowImportResult } from './flowCatalog.ts';

// Wire details other layers may need: menu item ids (`<stepId>:<value>`) and the message budget.
export { menuItemId } from './runtime/readAnswer.ts';
export { maxMessagesPerTurn } from './runtime/packMessages.ts';
