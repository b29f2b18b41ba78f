import { describe, expect, it } from 'vitest';
import { describeQuestion, parseFlow } from '../../../src/engine/index.ts';
import type { FlowProblem, QuestionStep } from '../../../src/engine/index.ts';

// The catalogue sits between the header and the steps; its first item starts on line 6.
const head = 'schemaVersion: 1\nid: t\nversion: 1\ntitle: T\ncatalog:\n';
const steps = 'steps:\n  - id: q\n    kind: text\n    text: 想做什么？\n  - id: end\n    kind: end\n    text: 谢谢\n';

function parse(catalog: string) {
  return parseFlow(`${head}${catalog}${steps}`);
}

function problemsOf(catalog: string): FlowProblem[] {
  const result = parse(catalog);
  if (result.ok) throw new Error('expected problems, the flow parsed');
  return result.problems;
}

describe('flow catalogue', () => {
  it('accepts items with names and synonyms, and defaults to none', () => {
    const result = parse('  - id: thermage\n    name: 热玛吉\n    synonyms: [热玛奇, Thermage]\n  - id: hydra\n    name: 水光针\n');
    expect(result.ok && result.flow.catalog).toEqual([
      { id: 'thermage', name: '热玛吉', synonyms: ['热玛奇', 'Thermage'] },
      { id: 'hydra', name: '水光针' },
    ]);
    const none = parseFlow(`schemaVersion: 1\nid: t\nversion: 1\ntitle: T\n${steps}`);
    expect(none.ok && none.flow.catalog).toEqual([]);
  });

  it('refuses a duplicate id at its line', () => {
    expect(problemsOf('  - id: thermage\n    name: 热玛吉\n  - id: thermage\n    name: 超声刀\n')).toEqual([
      { path: 'catalog[1].id', message: 'duplicate catalogue id "thermage" (first used at catalog[0])', line: 8 },
    ]);
  });

  it('refuses a synonym another item already claims, at the synonym\'s own line', () => {
    const problems = problemsOf('  - id: thermage\n    name: 热玛吉\n  - id: hydra\n    name: 水光针\n    synonyms:\n      - 补水\n      - 热玛吉\n');
    expect(problems).toEqual([
      {
        path: 'catalog[1].synonyms[1]',
        message: '"热玛吉" already selects "thermage" (catalog[0].name); a name or synonym may belong to one item only',
        line: 12,
      },
    ]);
  });

  it.each([
    ['traditional characters', '熱瑪吉', '热玛吉'],
    ['full-width letters and another case', 'ＴＨＥＲＭＡＧＥ', 'thermage'],
    ['spaces and hyphens', 'Ther-mage', 'thermage'],
  ])('compares words after normalisation: %s', (_what, written, readAs) => {
    const problems = problemsOf(`  - id: thermage\n    name: 热玛吉\n    synonyms: [Thermage]\n  - id: other\n    name: ${written}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'catalog[1].name', line: 10 });
    expect(problems[0]?.message).toContain(`"${written}" (read as "${readAs}") already selects "thermage"`);
  });

  it('lets one item repeat its own word (harmless) but refuses one-character words', () => {
    expect(parse('  - id: thermage\n    name: 热玛吉\n    synonyms: [熱瑪吉]\n').ok).toBe(true);
    expect(problemsOf('  - id: facial\n    name: 面部护理\n    synonyms: [脸]\n')).toEqual([
      { path: 'catalog[0].synonyms[0]', message: '"脸" is shorter than two characters; it would match inside unrelated words', line: 8 },
    ]);
  });

  it('refuses bad ids and empty words with the schema\'s messages', () => {
    const problems = problemsOf('  - id: 热玛吉\n    name: " "\n');
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['catalog[0].id', 6],
      ['catalog[0].name', 7],
    ]);
  });
});

describe('describeQuestion passes the catalogue on', () => {
  const catalog = [{ id: 'tires', name: '轮胎', synonyms: ['换胎'] }];
  const step = (fields: Record<string, unknown>) => ({ id: 'q', text: '?', ...fields }) as unknown as QuestionStep;

  it('to free-text and repurchase questions, where customers name products', () => {
    expect(describeQuestion(step({ kind: 'text', question: 'timing', extract: [] }), catalog)).toEqual({ question: 'timing', catalog });
    expect(describeQuestion(step({ kind: 'repurchase' }), catalog)).toEqual({ question: 'repurchase', range: { min: 0, max: 5 }, catalog });
  });

  it('not to score and menu questions, nor when the flow has none', () => {
    expect(describeQuestion(step({ kind: 'nps' }), catalog)).toEqual({ question: 'nps', range: { min: 0, max: 10 } });
    expect(describeQuestion(step({ kind: 'choice', options: [{ id: 'a', label: 'A' }], multiple: false }), catalog)).not.toHaveProperty('catalog');
    expect(describeQuestion(step({ kind: 'text', question: 'text', extract: [] }), [])).toEqual({ question: 'text' });
  });

  it('as a copy, so a session that stores it cannot change the flow', () => {
    const shape = describeQuestion(step({ kind: 'text', question: 'text', extract: [] }), catalog);
    shape.catalog?.[0]?.synonyms?.push('补胎');
    expect(catalog[0]?.synonyms).toEqual(['换胎']);
  });
});
