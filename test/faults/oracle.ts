import { loadFlowFile, type Flow } from '../../src/engine/index.ts';
import { renderTemplate } from '../../src/engine/runtime/renderTemplate.ts';
import type { SimMessage } from './simClient.ts';

/**
 * What a customer must receive, built from the flow file itself. The personas (personas.ts)
 * name, for each customer message, the flow steps the bot must answer with (a reading of
 * flows/nps-default.yaml by a person, not by the code under test); the texts come from the YAML,
 * so rewording a question does not break the suite, while a change in branching or in the number
 * of messages does, on purpose. A reply is compared exactly: the whole text, or a menu's whole
 * head and the step its buttons answer.
 */

/** One reply the customer must get: `key` is compared with `replyKey()` of what arrived. */
export interface ExpectedReply {
  key: string;
  /** Short label for reports, e.g. `menu csat_advisor`. */
  label: string;
}

/** A piece of a reply: a step's text, a step's acknowledgement, one of the flow's fixed lines, or literal text. */
export type Part = { step: string } | { ack: string } | { line: keyof Flow['settings']['texts'] } | { literal: string };

export interface Oracle {
  flow: Flow;
  /** A text reply made of these parts, one per line. */
  text(...parts: Part[]): ExpectedReply;
  /** A menu for `stepId`, its head made of `lead` parts and the step's text. */
  menu(stepId: string, ...lead: Part[]): ExpectedReply;
}

/** Canonical form of a message the bot sent, comparable with `ExpectedReply.key`. */
export function replyKey(message: Pick<SimMessage, 'msgtype' | 'body'>): string {
  if (message.msgtype === 'text') return `text:${(message.body as { content?: string }).content ?? ''}`;
  if (message.msgtype === 'msgmenu') {
    const menu = message.body as { head_content?: string; list?: Array<{ click?: { id?: string } }> };
    // Button ids are `<stepId>__<value>`: the menu answers the step all of them share.
    const steps = new Set((menu.list ?? []).map((item) => item.click?.id?.split('__')[0] ?? '?'));
    return `menu:${menu.head_content ?? ''}|${steps.size === 1 ? [...steps][0] : [...steps].join('+')}`;
  }
  return `${message.msgtype}:${JSON.stringify(message.body)}`;
}

/** Loads the flow and binds the customer's nickname (the greeting names them). */
export async function loadOracle(flowFile: string, nickname: string): Promise<Oracle> {
  const parsed = await loadFlowFile(flowFile);
  if (!parsed.ok) throw new Error(`${flowFile} is not a valid flow: ${parsed.problems.map((p) => p.message).join('; ')}`);
  const flow = parsed.flow;
  // A customer the merchant has not named is greeted by their WeChat nickname.
  const scope = { customer: { nickname, name: nickname }, answers: {}, variables: flow.variables };
  const stepOf = (id: string) => {
    const step = flow.steps.find((s) => s.id === id);
    if (!step) throw new Error(`the personas name step "${id}", which ${flowFile} does not have`);
    return step as { id: string; text: string; ack?: string };
  };
  const render = (part: Part): string => {
    if ('literal' in part) return part.literal;
    if ('line' in part) return renderTemplate(flow.settings.texts[part.line], scope);
    if ('ack' in part) {
      const ack = stepOf(part.ack).ack;
      if (!ack) throw new Error(`step "${part.ack}" has no ack`);
      return renderTemplate(ack, scope);
    }
    return renderTemplate(stepOf(part.step).text, scope);
  };
  const describe = (part: Part): string => ('literal' in part ? 'text' : 'line' in part ? part.line : 'ack' in part ? `ack ${part.ack}` : part.step);
  return {
    flow,
    text: (...parts) => ({ key: `text:${parts.map(render).join('\n')}`, label: parts.map(describe).join('+') }),
    menu: (stepId, ...lead) => {
      stepOf(stepId);
      return { key: `menu:${[...lead.map(render), render({ step: stepId })].join('\n')}|${stepId}`, label: `menu ${[...lead.map(describe), stepId].join('+')}` };
    },
  };
}
