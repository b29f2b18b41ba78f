import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getSimplePaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { compileFlow, currentStepId, describeQuestion, isQuestionStep, loadFlowFile } from '../../../src/engine/index.ts';
import type { CompiledFlow, Condition, Flow, QuestionStep } from '../../../src/engine/index.ts';
import { analysis } from '../engine/engineTestKit.ts';

const flowsDir = fileURLToPath(new URL('../../../flows/', import.meta.url));
const files = readdirSync(flowsDir).filter((f) => f.endsWith('.yaml'));

async function load(file: string): Promise<CompiledFlow> {
  const result = await loadFlowFile(`${flowsDir}${file}`);
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.problems, null, 2)}`);
  return compileFlow(result.flow);
}

/**
 * Replies that exercise every route: for a step some branch reads, one per option, or one score
 * per stretch of the scale that the branches on it tell apart (NPS groups, each side of a gte/lte,
 * each listed value); for other steps one reply, since their value changes nothing. One score per
 * stretch, not more, keeps the number of paths (a product over the branched steps) small.
 */
function sampleReplies(step: QuestionStep, conditions: Condition[] | undefined) {
  const shape = describeQuestion(step);
  const at = '2025-03-01T02:00:00.000Z';
  if (conditions === undefined) {
    const fields = shape.options ? { choices: [shape.options[0]?.id ?? ''] } : shape.range ? { score: shape.range.max } : {};
    return [{ type: 'user.replied' as const, text: '好', analysis: analysis(fields), at }];
  }
  if (shape.options !== undefined) {
    return shape.options.map((o) => ({ type: 'user.replied' as const, text: o.label, analysis: analysis({ choices: [o.id] }), at }));
  }
  if (shape.range !== undefined) {
    return scoresTellingApart(conditions, shape.range).map((score) => ({ type: 'user.replied' as const, text: String(score), analysis: analysis({ score }), at }));
  }
  return [{ type: 'user.replied' as const, text: '还不错', analysis: analysis(), at }];
}

/** The lowest score of each stretch of `range` that `conditions` cannot tell apart. */
function scoresTellingApart(conditions: Condition[], range: { min: number; max: number }): number[] {
  // A stretch starts at the range's minimum and after every boundary a condition draws.
  const starts = new Set([range.min]);
  for (const c of conditions) {
    if (c.group !== undefined) [7, 9].forEach((s) => starts.add(s));
    if (c.gte !== undefined) starts.add(c.gte);
    if (c.lte !== undefined) starts.add(c.lte + 1);
    for (const v of c.in ?? []) if (typeof v === 'number') [v, v + 1].forEach((s) => starts.add(s));
  }
  return [...starts].filter((s) => s >= range.min && s <= range.max).sort((a, b) => a - b);
}

function questionAt(flow: Flow, value: unknown): QuestionStep | undefined {
  const step = flow.steps.find((s) => s.id === currentStepId(value));
  return step !== undefined && isQuestionStep(step) ? step : undefined;
}

it('ships at least the agreed flows: NPS (beauty clinic), CSAT, and car after-sales', () => {
  expect(files).toEqual(expect.arrayContaining(['nps-default.yaml', 'csat-after-service.yaml', 'car-after-sales.yaml']));
});

describe.each(files)('%s', (file) => {
  it('is valid and named after its id', async () => {
    const { flow } = await load(file);
    expect(`${flow.id}.yaml`).toBe(file);
    expect(flow.schemaVersion).toBe(1);
  });

  it('reaches an end on every path through its answers, and every question and end is on some path', async () => {
    const { flow, machine } = await load(file);
    const conditionsOn = new Map<string, Condition[]>();
    for (const s of flow.steps) for (const b of s.kind === 'end' ? [] : (s.branch ?? [])) conditionsOn.set(b.when.step, [...(conditionsOn.get(b.when.step) ?? []), b.when]);
    const paths = getSimplePaths(machine, {
      input: { customer: { nickname: '测试' }, now: '2025-03-01T02:00:00.000Z' },
      events: (snapshot) => {
        const step = questionAt(flow, snapshot.value);
        return step === undefined || !snapshot.hasTag('awaiting') ? [] : sampleReplies(step, conditionsOn.get(step.id));
      },
    });
    const finals = paths.filter((p) => !p.state.hasTag('awaiting'));
    expect(finals.length).toBeGreaterThan(0);
    for (const path of finals) {
      const endId = currentStepId(path.state.value);
      expect(flow.steps.find((s) => s.id === endId)?.kind, JSON.stringify(path.state.value)).toBe('end');
      expect(path.state.hasTag('completed')).toBe(true);
    }
    const visited = new Set(paths.flatMap((p) => p.steps.map((s) => currentStepId(s.state.value))));
    for (const step of flow.steps) if (step.kind !== 'message') expect(visited, step.id).toContain(step.id);
  });
});
