import type { ExpectedReply, Oracle } from './oracle.ts';

/**
 * Scripted customers for flows/nps-default.yaml. Each step is one thing the customer does and
 * what must follow from it: the bot's replies (exactly these, in this order), the answer stored
 * for it, whether the message is kept in the session transcript, what the session status is
 * afterwards and whether an escalation is opened or handed over. These expectations are the
 * suite's oracle; read them next to the flow file.
 */

export type SessionStatus = 'active' | 'paused' | 'escalated' | 'completed' | 'opted_out' | 'expired';

export type Act = { say: string } | { click: RegExp } | { enter: string };

export interface Step {
  act: Act;
  replies: ExpectedReply[];
  /** The answer this message gives: stored once on the session under `step`. */
  answer?: { step: string; value: string | number };
  /** False when the service must not record the message (an entry event; an opted-out customer). */
  recorded?: boolean;
  /** Session status after this step (unchanged when absent). */
  status?: SessionStatus;
  /** This message opens an escalation, or hands the chat over (which also opens one when none is open). */
  escalation?: 'opened' | 'handedOver';
}

export interface Persona {
  name: string;
  steps: Step[];
  /** Index of the step before which the scenario's fault strikes. */
  faultAt: number;
}

/** What the bot says when a customer writes after the survey ended (conversationService CLOSED_REPLY). */
export const CLOSED_REPLY = '感谢您的反馈，本次回访已经完成。如需帮助请直接留言，我们的同事会尽快联系您。';

/** The persona names, in the order casts list them. */
export const PERSONAS = ['promoter', 'passive', 'detractor', 'human', 'optout', 'linker', 'combo'] as const;
export type PersonaName = (typeof PERSONAS)[number];

export function buildPersonas(o: Oracle): Record<PersonaName, Persona> {
  const hello = (): Step => ({ act: { say: '你好' }, replies: [o.text({ step: 'greeting' }, { step: 'nps' })], status: 'active' });
  const escalated = o.text({ line: 'escalated' });
  return {
    // Recommends, answers every question with buttons and free text, finishes, then says thanks.
    promoter: {
      name: 'promoter',
      faultAt: 3,
      steps: [
        hello(),
        { act: { say: '9' }, replies: [o.text({ step: 'reason_promoter' })], answer: { step: 'nps', value: 9 } },
        // A reason is acknowledged by its topic (issue 20).
        { act: { say: '顾问很专业' }, replies: [o.menu('csat_booking', { literal: '谢谢您认可我们的专业！' })], answer: { step: 'reason_promoter', value: '顾问很专业' } },
        { act: { click: /^5 / }, replies: [o.menu('csat_advisor', { ack: 'csat_booking' })], answer: { step: 'csat_booking', value: 5 } },
        { act: { click: /^4 / }, replies: [o.menu('csat_result')], answer: { step: 'csat_advisor', value: 4 } },
        { act: { click: /^5 / }, replies: [o.menu('intent')], answer: { step: 'csat_result', value: 5 } },
        { act: { click: /^4 / }, replies: [o.text({ literal: '太好了！' }, { step: 'timing' })], answer: { step: 'intent', value: 4 } },
        { act: { say: '下个月' }, replies: [o.text({ step: 'products' })], answer: { step: 'timing', value: '下个月' } },
        // A promoter is asked once for a referral or a review (each simulated customer is new).
        { act: { say: '面部护理' }, replies: [o.menu('referral')], answer: { step: 'products', value: '面部护理' } },
        {
          act: { click: /^推荐朋友/ },
          replies: [o.text({ ack: 'referral' }, { step: 'thanks_promoter' })],
          answer: { step: 'referral', value: 'refer' },
          status: 'completed',
        },
        // A "thanks" after the end must not start the survey again.
        { act: { say: '谢谢' }, replies: [o.text({ literal: CLOSED_REPLY })] },
      ],
    },
    // A 7, middling buttons, would not come back: the change-of-mind branch.
    passive: {
      name: 'passive',
      faultAt: 2,
      steps: [
        hello(),
        { act: { say: '7' }, replies: [o.text({ step: 'reason_passive' })], answer: { step: 'nps', value: 7 } },
        { act: { say: '环境挺好的' }, replies: [o.menu('csat_booking', { literal: '谢谢，您说的我们记下了。' })], answer: { step: 'reason_passive', value: '环境挺好的' } },
        { act: { click: /^3 / }, replies: [o.menu('csat_advisor', { ack: 'csat_booking' })], answer: { step: 'csat_booking', value: 3 } },
        { act: { click: /^3 / }, replies: [o.menu('csat_result')], answer: { step: 'csat_advisor', value: 3 } },
        { act: { click: /^3 / }, replies: [o.menu('intent')], answer: { step: 'csat_result', value: 3 } },
        { act: { click: /^2 / }, replies: [o.text({ step: 'change_mind' })], answer: { step: 'intent', value: 2 } },
        { act: { say: '价格再实惠一点就好' }, replies: [o.text({ literal: '谢谢，您说的我们记下了。' }, { step: 'thanks' })], answer: { step: 'change_mind', value: '价格再实惠一点就好' }, status: 'completed' },
      ],
    },
    // A detractor is asked why, says it, and is handed to a person; after that the bot is silent.
    detractor: {
      name: 'detractor',
      faultAt: 2,
      steps: [
        hello(),
        { act: { say: '3' }, replies: [o.text({ step: 'reason_detractor' })], answer: { step: 'nps', value: 3 }, escalation: 'opened' },
        {
          act: { say: '等太久了，服务态度差' },
          replies: [escalated],
          answer: { step: 'reason_detractor', value: '等太久了，服务态度差' },
          status: 'escalated',
          escalation: 'handedOver',
        },
        { act: { say: '还在吗' }, replies: [] },
      ],
    },
    // Asks for a person straight away.
    human: {
      name: 'human',
      faultAt: 1,
      steps: [hello(), { act: { say: '转人工' }, replies: [escalated], status: 'escalated', escalation: 'handedOver' }, { act: { say: '人呢' }, replies: [] }],
    },
    // Opts out; what they write afterwards is neither answered nor recorded.
    optout: {
      name: 'optout',
      faultAt: 1,
      steps: [
        hello(),
        { act: { say: '不要再发了' }, replies: [o.text({ line: 'optedOut' })], status: 'opted_out' },
        { act: { say: '在吗' }, replies: [], recorded: false },
      ],
    },
    // Comes in through a survey link: the greeting goes out through the one-off welcome code.
    linker: {
      name: 'linker',
      faultAt: 1,
      steps: [
        { act: { enter: 'nps-default' }, replies: [o.text({ step: 'greeting' }, { step: 'nps' })], recorded: false, status: 'active' },
        { act: { say: '10' }, replies: [o.text({ step: 'reason_promoter' })], answer: { step: 'nps', value: 10 } },
        // A vague reason gets one short probe (issue 20); the answer is recorded with the reply to it.
        { act: { say: '都挺好的' }, replies: [o.text({ literal: '最满意的是哪方面呢？环境、服务还是效果？' })] },
      ],
    },
    // Scores and complains in one message (issue 13, item 1): handed over, and the score is kept.
    combo: {
      name: 'combo',
      faultAt: 1,
      steps: [
        hello(),
        { act: { say: '2分，太差了，我要投诉' }, replies: [escalated], answer: { step: 'nps', value: 2 }, status: 'escalated', escalation: 'handedOver' },
      ],
    },
  };
}
