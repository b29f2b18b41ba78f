import { readFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument } from 'yaml';

/**
 * A known pair of flow versions for diff tests: the shipped nps-default (v1) and a v2 that
 * rewords csat_booking, adds a choice step `channel` after the greeting, removes `products`,
 * raises intent's branch from gte 3 to gte 4, and moves csat_advisor after csat_result. (With
 * `products` gone, so is the flow's rule that fills it in passing.)
 */
export function knownFlowPair(): { v1: string; v2: string } {
  const v1 = readFileSync('flows/nps-default.yaml', 'utf8');
  const doc = parseDocument(v1);
  const steps = doc.get('steps', true);
  if (!isSeq(steps)) throw new Error('steps is not a list');
  const idx = (id: string) => steps.items.findIndex((n) => isMap(n) && n.get('id') === id);
  doc.setIn(['steps', idx('csat_booking'), 'text'], '请给「预约流程」打分（5分最满意）。');
  steps.items.splice(idx('products'), 1);
  const fills = doc.get('fills', true);
  if (isSeq(fills)) fills.items = fills.items.filter((n) => !(isMap(n) && n.get('step') === 'products'));
  steps.items.splice(
    idx('greeting') + 1,
    0,
    doc.createNode({ id: 'channel', kind: 'choice', text: '您是怎么知道我们的？', options: [{ id: 'friend', label: '朋友推荐' }, { id: 'online', label: '网上' }] }),
  );
  doc.setIn(['steps', idx('intent'), 'branch', 0, 'when', 'gte'], 4);
  const [advisor] = steps.items.splice(idx('csat_advisor'), 1);
  steps.items.splice(idx('csat_result') + 1, 0, advisor!);
  return { v1, v2: doc.toString({ lineWidth: 0 }) };
}

/** One line per step change, for readable expectations. */
export function summarizeDiff(diff: { steps: Array<Record<string, unknown>> }): string[] {
  const value = (v: unknown): string =>
    Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && 'goto' in r)
      ? v.map((r: { goto: string; when?: unknown; implicit?: boolean }) => `${r.when ? `${JSON.stringify(r.when)}→` : ''}${r.goto}${r.implicit ? '(implicit)' : ''}`).join(',')
      : JSON.stringify(v);
  return diff.steps.map((s) => {
    if (s.change === 'added') return `+ ${s.stepId} (${s.kind}) ${JSON.stringify(s.text)} → ${value(s.routes)}`;
    if (s.change === 'removed') return `- ${s.stepId} (${s.kind}) ${JSON.stringify(s.text)}`;
    const changes = s.changes as Array<{ field: string; group: string; before: unknown; after: unknown }>;
    return `~ ${s.stepId}: ${changes.map((c) => `${c.group}/${c.field} ${value(c.before)} ⇒ ${value(c.after)}`).join('; ')}`;
  });
}

/** The expected summary of `diffFlowSources(v1, v2)` for `knownFlowPair()`. */
export const knownPairSummary = [
  '~ greeting: branching/routes nps(implicit) ⇒ channel(implicit)',
  '+ channel (choice) "您是怎么知道我们的？" → nps(implicit)',
  '~ csat_booking: text/text "接下来请为三个环节打分（5分最满意）。首先是「预约流程」，您满意吗？" ⇒ "请给「预约流程」打分（5分最满意）。"',
  // The CSAT steps route explicitly (a low score branches to a follow-up), so moving one changes only its position.
  '~ csat_advisor: position/position 7 ⇒ 10',
  '~ intent: branching/routes {"step":"intent","gte":3}→timing,change_mind ⇒ {"step":"intent","gte":4}→timing,change_mind',
  '~ timing: branching/routes products(implicit) ⇒ change_mind(implicit)',
  '- products (text) "您对哪些项目或产品比较感兴趣？我们可以提前为您留意。"',
];
