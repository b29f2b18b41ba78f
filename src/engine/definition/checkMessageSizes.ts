import { maxMessagesPerTurn } from '../runtime/packMessages.ts';
import { messageLimits, textParts } from '../runtime/messageSize.ts';
import { worstCaseBytes } from '../runtime/renderTemplate.ts';
import { isQuestionStep } from './flowSchema.ts';
import type { Flow, Step } from './flowSchema.ts';
import type { PathSegment, StepRoute } from './listRoutes.ts';
import { routeTargets } from './listRoutes.ts';

type Add = (segments: PathSegment[], message: string) => void;

/** What the bot says from one step until it waits again: the texts' bytes (joined), the steps, and whether a menu ends it. */
interface Stretch {
  bytes: number;
  stepIds: string[];
  menu: boolean;
  /** A text in it is already refused on its own: the turn is not reported again. */
  oversized: boolean;
}

const capNote = `every answer and customer field at its cap of ${messageLimits.fieldChars} characters`;

/**
 * Refuses flows whose texts could overflow what WeCom delivers, at their worst case (customers'
 * words and fields at their cap): each text must fit one message (2048 bytes), and each turn (an
 * answer's acknowledgement, the message steps after it, the next question or end) the reply's
 * budget of `maxMessagesPerTurn` messages. Otherwise the send is refused whole and the customer
 * never sees the question, while their next reply is taken as its answer.
 */
export function checkMessageSizes(flow: Flow, routes: StepRoute[], indexOf: ReadonlyMap<string, number>, add: Add): void {
  const bytes = (template: string): number => worstCaseBytes(template, flow.variables);
  const tooLong = (worst: number): boolean => worst > messageLimits.textBytes;
  const checkText = (segments: PathSegment[], template: string): void => {
    const worst = bytes(template);
    if (tooLong(worst)) {
      add(segments, `could render to ${worst} bytes (${capNote}); one WeCom message holds ${messageLimits.textBytes}: shorten the text or quote fewer fields`);
    }
  };
  forEachTemplate(flow, checkText);

  const stretches = new Map<number, Stretch>();
  const stretchFrom = (index: number, visiting = new Set<number>()): Stretch => {
    const known = stretches.get(index);
    if (known) return known;
    const step = flow.steps[index];
    if (step === undefined || visiting.has(index)) return { bytes: 0, stepIds: [], menu: false, oversized: false }; // loops are reported elsewhere
    const own = bytes(step.text);
    let stretch: Stretch = { bytes: own, stepIds: [step.id], menu: isQuestionStep(step) && mayBeMenu(step), oversized: tooLong(own) };
    if (step.kind === 'message') {
      visiting.add(index);
      for (const target of routeTargets(routes[index] ?? { branches: [] })) {
        const next = indexOf.get(target.to);
        if (next === undefined) continue;
        const after = stretchFrom(next, visiting);
        const joined = { bytes: own + 1 + after.bytes, stepIds: [step.id, ...after.stepIds], menu: after.menu, oversized: stretch.oversized || after.oversized };
        if (partsOf(joined) > partsOf(stretch) || (partsOf(joined) === partsOf(stretch) && joined.bytes > stretch.bytes)) stretch = joined;
      }
      visiting.delete(index);
    }
    stretches.set(index, stretch);
    return stretch;
  };

  const checkTurn = (segments: PathSegment[], lead: { bytes: number; what: string } | null, stretch: Stretch, when: string): void => {
    const turn = lead ? { ...stretch, bytes: lead.bytes + 1 + stretch.bytes } : stretch;
    const parts = partsOf(turn);
    if (parts <= maxMessagesPerTurn || turn.oversized || (lead !== null && tooLong(lead.bytes))) return;
    const said = [...(lead ? [lead.what] : []), ...turn.stepIds.map((id) => `"${id}"`)].join(' + ');
    add(segments, `${when} the bot could say ${turn.bytes} bytes (${said}, ${capNote}): ${parts} WeCom messages, more than the ${maxMessagesPerTurn} one reply may carry; shorten these texts or quote fewer fields`);
  };

  if (flow.steps.length > 0) checkTurn(['steps', 0], null, stretchFrom(0), 'when the survey starts');
  flow.steps.forEach((step, i) => {
    if (!isQuestionStep(step)) return;
    const lead = largest([
      ...(step.ack === undefined ? [] : [{ bytes: bytes(step.ack), what: 'ack' }]),
      ...(step.kind === 'choice' ? step.options.flatMap((o) => (o.ack === undefined ? [] : [{ bytes: bytes(o.ack), what: `option ${o.id} ack` }])) : []),
      ...(step.acks ?? []).map((a, k) => ({ bytes: bytes(a.text), what: `acks[${k}]` })),
      ...('lowScoreAck' in step && step.lowScoreAck !== undefined ? [{ bytes: bytes(step.lowScoreAck.text), what: 'lowScoreAck' }] : []),
      { bytes: bytes(flow.settings.texts.skipped), what: 'settings.texts.skipped' },
    ]);
    for (const target of routeTargets(routes[i] ?? { branches: [] })) {
      const next = indexOf.get(target.to);
      if (next !== undefined) checkTurn(['steps', i], lead, stretchFrom(next), `after an answer to "${step.id}"`);
    }
    // Fixed lines that come back to this question: a FAQ answer, a step back, a reminder, a resume.
    checkTurn(['steps', i, 'text'], largest(fixedLeads(flow).map((l) => ({ bytes: bytes(l.text), what: l.what }))), stretchFrom(i), `when "${step.id}" is asked again`);
  });
}

function forEachTemplate(flow: Flow, visit: (segments: PathSegment[], template: string) => void): void {
  flow.steps.forEach((step, i) => {
    visit(['steps', i, 'text'], step.text);
    if (!isQuestionStep(step)) return;
    if (step.reask !== undefined) visit(['steps', i, 'reask'], step.reask);
    if (step.ack !== undefined) visit(['steps', i, 'ack'], step.ack);
    if (step.kind === 'choice') step.options.forEach((o, k) => o.ack !== undefined && visit(['steps', i, 'options', k, 'ack'], o.ack));
    step.acks?.forEach((a, k) => visit(['steps', i, 'acks', k, 'text'], a.text));
    if ('lowScoreAck' in step && step.lowScoreAck !== undefined) visit(['steps', i, 'lowScoreAck', 'text'], step.lowScoreAck.text);
  });
  flow.faq.forEach((entry, k) => visit(['faq', k, 'answer'], entry.answer));
  for (const [key, text] of Object.entries(flow.settings.texts)) visit(['settings', 'texts', key], text);
}

function fixedLeads(flow: Flow): Array<{ text: string; what: string }> {
  const { texts } = flow.settings;
  return [
    ...flow.faq.map((entry, k) => ({ text: entry.answer, what: `faq[${k}].answer` })),
    ...(['faqFallback', 'back', 'reminder', 'welcomeBack', 'resumed'] as const).map((key) => ({ text: texts[key], what: `settings.texts.${key}` })),
  ];
}

function largest<T extends { bytes: number }>(items: T[]): T | null {
  return items.reduce<T | null>((best, item) => (best === null || item.bytes > best.bytes ? item : best), null);
}

/** Messages a stretch takes: the texts joined into one (split every ~2 KB), and a menu whose head is too long goes after them. */
function partsOf(stretch: Pick<Stretch, 'bytes' | 'menu'>): number {
  if (stretch.menu && stretch.bytes <= messageLimits.menuHeadBytes) return 1;
  return textParts(stretch.bytes) + (stretch.menu ? 1 : 0);
}

/** Score and choice questions may be asked as a menu (free text and NPS are plain text). */
function mayBeMenu(step: Step): boolean {
  return step.kind !== 'text' && step.kind !== 'nps';
}
