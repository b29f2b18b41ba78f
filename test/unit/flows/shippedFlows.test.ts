import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getSimplePaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { compileFlow, currentStepId, describeQuestion, isQuestionStep, loadFlowFile } from '../../../src/engine/index.ts';
import type { CompiledFlow, Flow, QuestionStep } from '../../../src/engine/index.ts';
import { analysis } from '../engine/engineTestKit.ts';

const flowsDir = fileURLToPath(new URL('../../../flows/', import.meta.url));
const files = readdirSync(flowsDir).filter((f) => f.endsWith('.yaml'));

async function load(file: string): Promise<CompiledFlow> {
  const result = await loadFlowFile(`${flowsDir}${file}`);
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.problems, null, 2)}`);
  return compileFlow(result.flow);
}

/**
 * Replies that exercise every route: for a step some branch reads, one per NPS group, score
 * low/middle/high, or each option; for other steps one reply, since their value changes nothing.
 */
function sampleReplies(step: QuestionStep, branchedOn: boolean) {
  const shape = describeQuestion(step);
  const at = '2025-03-01T02:00:00.000Z';
  if (!branchedOn) {
    const fields = shape.options ? { choices: [shape.options[0]?.id ?? ''] } : shape.range ? { score: shape.range.max } : {};
    return [{ type: 'user.replied' as const, text: '好', analysis: analysis(fields), at }];
  }
  if (shape.options !== undefined) {
    return shape.options.map((o) => ({ type: 'user.replied' as const, text: o.label, analysis: analysis({ choices: [o.id] }), at }));
  }
  if (shape.range !== undefined) {
    const scores = step.kind === 'nps' ? [3, 7, 10] : [shape.range.min, Math.ceil((shape.range.min + shape.range.max) / 2), shape.range.max];
    return [...new Set(scores)].map((score) => ({ type: 'user.replied' as const, text: String(score), analysis: analysis({ score }), at }));
  }
  return [{ type: 'user.replied' as const, text: '还不错', analysis: analysis(), at }];
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
    const branchedOn = new Set(flow.steps.flatMap((s) => (s.kind === 'end' ? [] : (s.branch ?? []).map((b) => b.when.step))));
    const paths = getSimplePaths(machine, {
      input: { customer: { nickname: '测试' }, now: '2025-03-01T02:00:00.000Z' },
      events: (snapshot) => {
        const step = questionAt(flow, snapshot.value);
        return step === undefined || !snapshot.hasTag('awaiting') ? [] : sampleReplies(step, branchedOn.has(step.id));
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
