import { describe, expect, it } from 'vitest';
import { diffFlowSources } from '../../../src/admin/diffFlows.ts';
import { knownFlowPair, knownPairSummary, summarizeDiff } from '../../support/flowPair.ts';

const mini = (steps: string, title = '小问卷') => `schemaVersion: 1\nid: mini\nversion: 1\ntitle: ${title}\nsteps:\n${steps}`;

describe('diffFlowSources', () => {
  it('reports a known pair step by step: added, removed, changed text and branching, moved', () => {
    const { v1, v2 } = knownFlowPair();
    const diff = diffFlowSources(v1, v2);
    expect(diff.comparable).toBe(true);
    expect(diff.identical).toBe(false);
    expect(diff.flow).toEqual([]);
    expect(summarizeDiff(diff)).toEqual(knownPairSummary);
    expect(diff.steps.find((s) => s.stepId === 'channel')).toEqual({
      stepId: 'channel',
      change: 'added',
      kind: 'choice',
      text: '您是怎么知道我们的？',
      index: 1,
      routes: [{ goto: 'nps', implicit: true }],
    });
  });

  it('reports a catalogue change as a change of the whole flow', () => {
    const steps = '  - id: end\n    kind: end\n    text: 谢谢\n';
    const before = mini(steps).replace('steps:', 'catalog:\n  - { id: tires, name: 轮胎 }\nsteps:');
    const after = mini(steps).replace('steps:', 'catalog:\n  - { id: tires, name: 轮胎, synonyms: [换胎] }\nsteps:');
    expect(diffFlowSources(before, after).flow).toEqual([
      { field: 'catalog', group: 'other', before: [{ id: 'tires', name: '轮胎' }], after: [{ id: 'tires', name: '轮胎', synonyms: ['换胎'] }] },
    ]);
  });

  it('says identical for the same source, and for formatting-only changes has no step changes', () => {
    const { v1 } = knownFlowPair();
    expect(diffFlowSources(v1, v1)).toEqual({ comparable: true, identical: true, steps: [], flow: [] });
    const reformatted = v1.replace('extract: [sentiment, topics]', 'extract:\n      - sentiment\n      - topics').replace(/^# .*\n/m, '');
    expect(diffFlowSources(v1, reformatted)).toMatchObject({ identical: true, steps: [] });
  });

  it('reports flow-level changes and other step fields', () => {
    const a = mini('  - { id: q, kind: text, text: 问, question: text }\n  - { id: e, kind: end, text: 谢 }');
    const b = mini('  - { id: q, kind: text, text: 问, question: reason, ack: 好的 }\n  - { id: e, kind: end, text: 谢 }', '新标题');
    const diff = diffFlowSources(a, b);
    expect(diff.flow).toEqual([{ field: 'title', group: 'other', before: '小问卷', after: '新标题' }]);
    expect(diff.steps).toEqual([
      {
        stepId: 'q',
        change: 'changed',
        kind: 'text',
        changes: [
          { field: 'question', group: 'other', before: 'text', after: 'reason' },
          { field: 'ack', group: 'text', before: null, after: '好的' },
        ],
      },
    ]);
  });

  it('treats an explicit next equal to the following step as no change in branching', () => {
    const a = mini('  - { id: q, kind: text, text: 问 }\n  - { id: e, kind: end, text: 谢 }');
    const b = mini('  - { id: q, kind: text, text: 问, next: e }\n  - { id: e, kind: end, text: 谢 }');
    expect(diffFlowSources(a, b).steps).toEqual([]);
  });

  it('copes with invalid drafts: unknown kinds compare, broken YAML is not comparable', () => {
    const a = mini('  - { id: q, kind: text, text: 问 }');
    const b = mini('  - { id: q, kind: stars, text: <script>x</script> }');
    expect(summarizeDiff(diffFlowSources(a, b))).toEqual(['~ q: kind/kind "text" ⇒ "stars"; text/text "问" ⇒ "<script>x</script>"']);
    expect(diffFlowSources(a, 'steps: [unclosed')).toMatchObject({ comparable: false, identical: false, steps: [] });
  });
});
