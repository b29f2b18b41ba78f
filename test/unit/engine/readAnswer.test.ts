import { describe, expect, it } from 'vitest';
import { flowSchema } from '../../../src/engine/definition/flowSchema.ts';
import type { QuestionStep } from '../../../src/engine/definition/flowSchema.ts';
import { readAnswer } from '../../../src/engine/runtime/readAnswer.ts';
import { analysis } from './engineTestKit.ts';

const flow = flowSchema.parse({
  schemaVersion: 1,
  id: 'r',
  version: 1,
  title: 'r',
  steps: [
    { id: 'nps', kind: 'nps', text: 'x' },
    { id: 'csat', kind: 'csat', touchpoint: 't', text: 'x' },
    { id: 'stars', kind: 'rating', min: 1, max: 3, text: 'x' },
    { id: 'buy', kind: 'repurchase', text: 'x' },
    { id: 'one', kind: 'choice', text: 'x', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] },
    { id: 'many', kind: 'choice', multiple: true, text: 'x', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] },
    { id: 'why', kind: 'text', text: 'x' },
    { id: 'end', kind: 'end', text: 'x' },
  ],
});
const step = (id: string): QuestionStep => {
  const found = flow.steps.find((s) => s.id === id);
  if (found === undefined || found.kind === 'message' || found.kind === 'end') throw new Error(id);
  return found;
};

describe('readAnswer', () => {
  it.each([
    ['nps 0', 'nps', { text: '0', analysis: analysis({ score: 0 }) }, 0],
    ['nps 10', 'nps', { text: '10', analysis: analysis({ score: 10 }) }, 10],
    ['nps 11 is out of range', 'nps', { text: '11', analysis: analysis({ score: 11 }) }, undefined],
    ['a score with intent unclear', 'nps', { text: '8?', analysis: analysis({ intent: 'unclear', score: 8 }) }, undefined],
    ['csat 0 is out of range', 'csat', { text: '0', analysis: analysis({ score: 0 }) }, undefined],
    ['csat menu click', 'csat', { text: '4 满意', menuId: 'csat__4', analysis: analysis({ intent: 'unclear' }) }, 4],
    ['csat click out of range', 'csat', { text: '?', menuId: 'csat__9', analysis: analysis({ intent: 'unclear' }) }, undefined],
    ['rating in custom range', 'stars', { text: '3', analysis: analysis({ score: 3 }) }, 3],
    ['repurchase 0', 'buy', { text: '不会', analysis: analysis({ score: 0 }) }, 0],
    ['single choice', 'one', { text: 'B', analysis: analysis({ choices: ['b'] }) }, 'b'],
    ['two picks for a single choice', 'one', { text: 'AB', analysis: analysis({ choices: ['a', 'b'] }) }, undefined],
    ['unknown option only', 'one', { text: 'C', analysis: analysis({ choices: ['c'] }) }, undefined],
    ['choice click', 'one', { text: 'A', menuId: 'one__a', analysis: analysis({ intent: 'unclear' }) }, 'a'],
    ['multiple choice in option order', 'many', { text: 'BA', analysis: analysis({ choices: ['b', 'a'] }) }, ['a', 'b']],
    ['free text', 'why', { text: '  等太久 ', analysis: analysis() }, '等太久'],
    ['blank free text', 'why', { text: '   ', analysis: analysis() }, undefined],
    ['free text that the NLU calls unclear', 'why', { text: '嗯', analysis: analysis({ intent: 'unclear' }) }, undefined],
  ])('%s', (_name, id, reply, expected) => {
    const result = readAnswer(step(id), reply);
    expect(result).toEqual(expected === undefined ? { status: 'unreadable' } : { status: 'answered', value: expected });
  });
});
