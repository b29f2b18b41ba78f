import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { runTurn, SnapshotMismatchError, startSession } from '../../../src/engine/index.ts';
import type { EngineEffect } from '../../../src/engine/index.ts';
import { compileYaml, Conversation, reply, says } from './engineTestKit.ts';

const yaml = readFileSync(new URL('./fixtures/engine-test.yaml', import.meta.url), 'utf8');
const compiled = compileYaml(yaml);
const effectTypes = (effects: EngineEffect[]): string[] => effects.map((e) => e.type);
const escalations = (effects: EngineEffect[]) => effects.filter((e) => e.type === 'escalate');

/** A conversation already past the NPS question, waiting on `fav`. */
function atFav(score = 9): Conversation {
  const c = new Conversation(compiled);
  c.send(says.score(score));
  return c;
}

describe('startSession', () => {
  it('greets by name and asks the first question in one message, then waits for an NPS score', () => {
    const c = new Conversation(compiled);
    expect(c.last.status).toBe('active');
    expect(c.last.messages).toEqual([{ kind: 'text', text: '王女士好，我是测试店的助手。\n您有多大可能推荐我们？回复0-10。' }]);
    expect(c.last.awaiting).toEqual({ stepId: 'nps', question: 'nps', range: { min: 0, max: 10 } });
    expect(c.last.effects).toEqual([
      { type: 'schedule.reminder', afterHours: 24, stepId: 'nps' },
      { type: 'schedule.expiry', afterHours: 72 },
    ]);
  });

  it('falls back to the template default when the nickname is unknown', () => {
    const c = new Conversation(compiled, { nickname: undefined });
    expect(c.text.startsWith('您好，我是测试店的助手。')).toBe(true);
  });
});

describe('answers', () => {
  it('records a typed score and sends the choice question as a menu with <stepId>:<option> ids', () => {
    const c = atFav(9);
    expect(c.last.answers.nps).toMatchObject({ kind: 'nps', value: 9, raw: '9', at: '2025-03-01T02:01:00.000Z' });
    expect(c.last.effects[0]).toMatchObject({ type: 'answer.recorded', stepId: 'nps', value: 9 });
    expect(c.last.messages).toEqual([
      {
        kind: 'menu',
        head: '您最喜欢哪一项？',
        items: [
          { id: 'fav__env', label: '环境' },
          { id: 'fav__staff', label: '服务' },
          { id: 'fav__price', label: '价格' },
        ],
      },
    ]);
    expect(c.last.awaiting).toMatchObject({ stepId: 'fav', question: 'choice', multiple: false });
  });

  it('takes a menu click as the exact answer even when the NLU could not read it, and acks it with the next question', () => {
    const c = atFav();
    c.send(says.click('fav__staff', '服务'));
    expect(c.last.answers.fav?.value).toBe('staff');
    expect(c.last.messages).toHaveLength(1);
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '您选了服务。\n还有哪些也不错？可多选。' });
  });

  it('ignores a click on another question’s menu and reads the analysis instead', () => {
    const c = atFav();
    c.send(reply('价格', { choices: ['price'] }, 'nps__10'));
    expect(c.last.answers.fav?.value).toBe('price');
    expect(c.last.answers.nps?.value).toBe(9);
  });

  it('keeps several choices in option order for a multiple-choice question', () => {
    const c = atFav();
    c.send(reply('环境', { choices: ['env'] }));
    c.send(reply('价格和环境', { choices: ['price', 'env', 'unknown'] }));
    expect(c.last.answers.extras?.value).toEqual(['env', 'price']);
  });

  it('sends a rating of up to 10 values as a menu, best first', () => {
    const c = atFav();
    c.send(says.click('fav__env'));
    c.send(reply('服务', { choices: ['staff'] }));
    expect(c.last.messages[0]).toEqual({
      kind: 'menu',
      head: '给我们几颗星？',
      items: [
        { id: 'stars__3', label: '3分' },
        { id: 'stars__2', label: '2分' },
        { id: 'stars__1', label: '1分' },
      ],
    });
  });
});

describe('low-score acknowledgements', () => {
  const flow = compileYaml(`schemaVersion: 1
id: low-ack
version: 1
title: 低分致歉
steps:
  - id: svc
    kind: csat
    touchpoint: 服务
    text: 服务满意吗？
    ack: 太好了，谢谢！
    lowScoreAck: { lte: 2, text: '很抱歉让您失望了，{{customer.nickname|您}}。' }
    branch:
      - when: { step: svc, lte: 2 }
        goto: why
    default: stars
  - id: why
    kind: text
    text: 哪里出了问题？
    next: stars
  - id: stars
    kind: rating
    min: 0
    max: 10
    maxReasks: 0
    text: 再打个分？
    lowScoreAck: { lte: 4, text: 抱歉。 }
  - id: bye
    kind: end
    text: 再见
`);

  it('says the low-score text instead of the ack at or below its mark, and the ack above it', () => {
    for (const [score, said] of [[1, '很抱歉让您失望了，王女士。\n哪里出了问题？'], [2, '很抱歉让您失望了，王女士。\n哪里出了问题？'], [3, '太好了，谢谢！\n再打个分？']] as const) {
      const c = new Conversation(flow);
      c.send(says.click(`svc__${score}`));
      expect(c.text).toBe(said);
    }
  });

  it('works without an ack, and says nothing for a skipped answer', () => {
    const c = new Conversation(flow);
    c.send(says.click('svc__5'));
    c.send(says.score(4));
    expect(c.text).toBe('抱歉。\n再见');
    const skipped = new Conversation(flow);
    skipped.send(says.click('svc__5'));
    skipped.send(says.unclear('嗯'));
    expect(skipped.text).toBe('没关系，这题我们先跳过。\n再见');
  });
});

describe('re-asks', () => {
  it('re-asks with the hint up to maxReasks, then skips the question as missing and escalates as unreadable', () => {
    const c = new Conversation(compiled);
    c.send(says.unclear('啥'));
    expect(c.last.messages).toEqual([{ kind: 'text', text: '请回复0到10的数字哦。' }]);
    c.send(says.score(11, '11分'));
    expect(c.text).toBe('请回复0到10的数字哦。');
    expect(c.last.awaiting?.stepId).toBe('nps');
    c.send(says.unclear('不知道'));
    expect(c.last.answers.nps).toMatchObject({ value: null, missing: true, raw: '不知道' });
    expect(c.last.effects).toContainEqual({ type: 'answer.recorded', stepId: 'nps', kind: 'nps', value: null, raw: '不知道', missing: true });
    expect(escalations(c.last.effects)).toEqual([
      expect.objectContaining({ trigger: 'unreadable', stepId: 'nps', advisors: ['advisor-1'] }),
    ]);
    expect(c.last.awaiting?.stepId).toBe('fav');
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '没关系，这题我们先跳过。\n您最喜欢哪一项？' });
  });

  it('uses the default hint of the kind, and a per-step maxReasks of 0 skips at once', () => {
    const c = atFav();
    c.send(reply('都喜欢', { choices: ['env', 'staff'] }));
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '抱歉，没太看明白。请点击下方选项，或直接回复选项内容。' });
    c.send(says.click('fav__env'));
    c.send(says.unclear());
    expect(c.last.answers.extras).toMatchObject({ missing: true });
    expect(c.last.awaiting?.stepId).toBe('stars');
  });

  it('raises the unreadable escalation only once per session', () => {
    const c = new Conversation(compiled);
    for (let i = 0; i < 3; i++) c.send(says.unclear());
    expect(escalations(c.last.effects)).toHaveLength(1);
    for (let i = 0; i < 2; i++) c.send(says.unclear());
    expect(c.last.answers.fav).toBeUndefined();
    c.send(says.unclear());
    expect(c.last.answers.fav?.missing).toBe(true);
    expect(escalations(c.last.effects)).toEqual([]);
  });
});

describe('intents in any question', () => {
  it('pauses on later, and re-asks the same question when the customer returns', () => {
    const c = atFav();
    c.send(says.intent('later', '在忙'));
    expect(c.last.status).toBe('paused');
    expect(c.text).toBe('好的，您先忙～');
    expect(c.last.awaiting?.stepId).toBe('fav');
    expect(effectTypes(c.last.effects)).toEqual(['schedule.reminder', 'schedule.expiry']);
    c.send({ type: 'user.returned' });
    expect(c.last.status).toBe('active');
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '欢迎回来～我们继续：\n您最喜欢哪一项？' });
  });

  it('lets a paused session take the answer directly', () => {
    const c = atFav();
    c.send(says.intent('later', '晚点'));
    c.send(says.click('fav__env'));
    expect(c.last.status).toBe('active');
    expect(c.last.answers.fav?.value).toBe('env');
    expect(c.last.awaiting?.stepId).toBe('extras');
  });

  it('goes back to the previous question, overwrites its answer, and withdraws answers it went back past', () => {
    const c = atFav(9);
    c.send(says.intent('back', '上一题'));
    expect(c.text).toBe('好的，回到上一题：\n您有多大可能推荐我们？回复0-10。');
    expect(c.last.awaiting?.stepId).toBe('nps');
    expect(c.last.answers.nps?.value).toBe(9);
    c.send(says.score(6));
    expect(c.last.answers.nps?.value).toBe(6);
    c.send(says.click('fav__env'));
    c.send(says.intent('back', '上一题'));
    expect(c.last.awaiting?.stepId).toBe('fav');
    c.send(says.intent('back', '再上一题'));
    expect(c.last.awaiting?.stepId).toBe('nps');
    expect(c.last.answers.fav).toBeUndefined();
    expect(c.last.effects).toContainEqual({ type: 'answer.withdrawn', stepId: 'fav' });
  });

  it('says it is the first question when going back from the first one', () => {
    const c = new Conversation(compiled);
    c.send(says.intent('back', '上一题'));
    expect(c.text).toBe('这已经是第一题啦。\n您有多大可能推荐我们？回复0-10。');
    expect(c.last.awaiting?.stepId).toBe('nps');
  });

  it('answers a question from the FAQ and re-asks in the same message, without using up a re-ask', () => {
    const c = new Conversation(compiled);
    c.send(says.intent('question', '要几分钟？'));
    expect(c.last.messages).toEqual([{ kind: 'text', text: '大约两分钟。\n您有多大可能推荐我们？回复0-10。' }]);
    c.send(says.intent('question', '你们老板是谁'));
    expect(c.text).toBe('这个问题我暂时回答不了，稍后可以请同事为您解答。\n您有多大可能推荐我们？回复0-10。');
    c.send(says.unclear());
    c.send(says.unclear());
    expect(c.last.awaiting?.stepId).toBe('nps');
  });

  it('opts out once, stays silent afterwards, and resumes the question on opt-in', () => {
    const c = atFav();
    c.send(says.intent('opt_out', '别再发了'));
    expect(c.last.status).toBe('opted_out');
    expect(c.text).toBe('好的，以后不再打扰您。祝您生活愉快！');
    expect(c.last.effects).toEqual([{ type: 'opt_out' }]);
    expect(c.last.awaiting).toBeNull();
    for (const event of [says.score(5), { type: 'reminder.due' } as const, { type: 'session.expired' } as const]) {
      c.send(event);
      expect(c.last.messages).toEqual([]);
      expect(c.last.status).toBe('opted_out');
    }
    c.send({ type: 'user.opted_in' });
    expect(c.last.status).toBe('active');
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '好的，欢迎回来～\n您最喜欢哪一项？' });
  });

  it('hands over on escalate, stays silent while the advisor talks, and resumes when released', () => {
    const c = atFav();
    c.send(says.intent('escalate', '我要投诉，找人'));
    expect(c.last.status).toBe('escalated');
    expect(c.text).toBe('好的，已为您转接同事，稍后会有专人联系您。');
    expect(c.last.effects).toEqual([
      { type: 'escalate', trigger: 'intent', reason: '客户要求人工：「我要投诉，找人」', stepId: 'fav', advisors: ['advisor-1'] },
    ]);
    c.send(says.text('你好？'));
    c.send({ type: 'reminder.due' });
    expect(c.last.messages).toEqual([]);
    expect(c.last.status).toBe('escalated');
    c.send({ type: 'agent.released', resume: true });
    expect(c.last.status).toBe('active');
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '我们继续刚才的回访～\n您最喜欢哪一项？' });
  });

  it('thanks and completes when the advisor releases without resuming', () => {
    const c = atFav();
    c.send(says.intent('escalate', '人工'));
    c.send({ type: 'agent.released', resume: false });
    expect(c.last.status).toBe('completed');
    expect(c.text).toBe('感谢您的反馈，祝您生活愉快！');
    expect(c.last.effects).toEqual([{ type: 'completed' }]);
    c.send(says.score(3));
    expect(c.last).toMatchObject({ status: 'completed', messages: [], effects: [] });
  });
});

describe('an answer given together with another intent', () => {
  const reply2 = (intent: 'escalate' | 'opt_out' | 'later' | 'question', text: string, score: number) => reply(text, { intent, score });

  it('keeps the score of a detractor who asks for a person in the same message, and resumes after it', () => {
    const c = new Conversation(compiled);
    c.send(reply2('escalate', '2分，太差了，我要投诉', 2));
    expect(c.last.status).toBe('escalated');
    expect(c.last.answers.nps).toMatchObject({ kind: 'nps', value: 2, raw: '2分，太差了，我要投诉' });
    expect(c.last.effects).toContainEqual(expect.objectContaining({ type: 'answer.recorded', stepId: 'nps', value: 2 }));
    // The hand-over is the customer's request; the detractor trigger is marked as raised, not raised twice.
    expect(escalations(c.last.effects)).toEqual([expect.objectContaining({ trigger: 'intent', stepId: 'nps' })]);
    c.send({ type: 'agent.released', resume: true });
    expect(c.last.status).toBe('active');
    expect(c.last.awaiting?.stepId).toBe('fav');
    expect(escalations(c.last.effects)).toEqual([]);
  });

  it('keeps the reason a customer gives while asking for a person, but not a bare request', () => {
    const c = atFav(9);
    c.send(says.click('fav__env'));
    c.send(says.click('extras__env'));
    c.send(says.click('stars__1'));
    c.send(reply('太差了，我要投诉', { intent: 'escalate', sentiment: { label: 'negative', confidence: 0.95 } }));
    expect(c.last.answers.why).toMatchObject({ value: '太差了，我要投诉' });
    const d = atFav(9);
    d.send(says.intent('escalate', '转人工'));
    expect(d.last.answers.fav).toBeUndefined();
  });

  it('keeps the score of a customer who opts out in the same message, and moves on after opting in', () => {
    const c = new Conversation(compiled);
    c.send(reply2('opt_out', '8分吧，以后别发了', 8));
    expect(c.last.status).toBe('opted_out');
    expect(c.last.answers.nps?.value).toBe(8);
    c.send({ type: 'user.opted_in' });
    expect(c.last.awaiting?.stepId).toBe('fav');
  });

  it('keeps the score of a customer who pauses, raises the detractor escalation, and continues past it on return', () => {
    const c = new Conversation(compiled);
    c.send(reply2('later', '3分，现在忙', 3));
    expect(c.last.status).toBe('paused');
    expect(c.last.answers.nps?.value).toBe(3);
    expect(escalations(c.last.effects)).toEqual([expect.objectContaining({ trigger: 'detractor' })]);
    c.send({ type: 'user.returned' });
    expect(c.last.awaiting?.stepId).toBe('fav');
  });

  it('answers a question asked together with a score and goes on to the next question', () => {
    const c = new Conversation(compiled);
    c.send(reply2('question', '9分，要几分钟？', 9));
    expect(c.last.answers.nps?.value).toBe(9);
    expect(c.text).toContain('大约两分钟。');
    expect(c.last.awaiting?.stepId).toBe('fav');
  });
});

describe('reminders and expiry', () => {
  it('sends one gentle reminder per question, and again for the next question', () => {
    const c = new Conversation(compiled);
    c.send({ type: 'reminder.due' });
    expect(c.text).toBe('打扰一下，刚才的问题方便回复吗？\n您有多大可能推荐我们？回复0-10。');
    expect(c.last.effects).toEqual([]);
    c.send({ type: 'reminder.due' });
    expect(c.last.messages).toEqual([]);
    c.send(says.score(9));
    expect(c.last.effects).toContainEqual({ type: 'schedule.reminder', afterHours: 24, stepId: 'fav' });
    c.send({ type: 'reminder.due' });
    expect(c.last.messages).toHaveLength(1);
  });

  it('wakes a paused session with the reminder', () => {
    const c = atFav();
    c.send(says.intent('later', '忙'));
    c.send({ type: 'reminder.due' });
    expect(c.last.status).toBe('active');
    expect(c.last.messages[0]).toMatchObject({ head: '打扰一下，刚才的问题方便回复吗？\n您最喜欢哪一项？' });
  });

  it('expires silently and ignores everything afterwards', () => {
    const c = atFav();
    c.send({ type: 'session.expired' });
    expect(c.last).toMatchObject({ status: 'expired', messages: [], effects: [], awaiting: null });
    c.send(says.click('fav__env'));
    expect(c.last).toMatchObject({ status: 'expired', messages: [] });
    expect(c.last.answers.fav).toBeUndefined();
  });
});

describe('automatic escalations and endings', () => {
  it('flags a detractor once and carries on with the survey', () => {
    const c = new Conversation(compiled);
    c.send(says.score(4));
    expect(escalations(c.last.effects)).toEqual([
      { type: 'escalate', trigger: 'detractor', reason: 'NPS 4 分（贬损者）', stepId: 'nps', advisors: ['advisor-1'] },
    ]);
    expect(c.last.status).toBe('active');
    expect(c.last.awaiting?.stepId).toBe('fav');
    c.send(says.intent('back', '上一题'));
    c.send(says.score(3));
    expect(escalations(c.last.effects)).toEqual([]);
  });

  it('does not flag passives or promoters', () => {
    for (const score of [7, 8, 9, 10]) expect(escalations(atFav(score).last.effects)).toEqual([]);
  });

  function toWhy(c: Conversation): void {
    c.send(says.click('fav__env'));
    c.send(says.click('extras__staff'));
    c.send(says.click('stars__2'));
  }

  it('keeps the extracted fields of a text answer and flags confident negative sentiment', () => {
    const c = atFav();
    toWhy(c);
    expect(c.last.awaiting).toEqual({ stepId: 'why', question: 'reason' });
    c.send(says.text('等太久了，很失望', { sentiment: { label: 'negative', confidence: 0.9 }, topics: ['等待'] }));
    expect(c.last.answers.why).toMatchObject({
      value: '等太久了，很失望',
      extracted: { sentiment: { label: 'negative', confidence: 0.9 }, topics: ['等待'] },
    });
    expect(escalations(c.last.effects)).toEqual([expect.objectContaining({ trigger: 'negative', stepId: 'why' })]);
  });

  it('does not flag negative sentiment below the configured confidence', () => {
    const c = atFav();
    toWhy(c);
    c.send(says.text('还行吧', { sentiment: { label: 'negative', confidence: 0.5 } }));
    expect(escalations(c.last.effects)).toEqual([]);
  });

  it('ends at the default end with answers in the template, or at the branch end', () => {
    const c = atFav(8);
    toWhy(c);
    c.send(says.text('没有'));
    expect(c.last.status).toBe('completed');
    expect(c.text).toBe('再见王女士，推荐分8。');
    expect(c.last.effects).toContainEqual({ type: 'completed', endStepId: 'bye' });
    expect(c.last.awaiting).toBeNull();

    const happy = atFav();
    happy.send(says.click('fav__env'));
    happy.send(says.click('extras__env'));
    happy.send(says.click('stars__3'));
    expect(happy.text).toBe('太开心了，谢谢！');
    expect(happy.last.effects).toContainEqual({ type: 'completed', endStepId: 'bye_happy' });
  });

  it('renders the fallback of a missing answer', () => {
    const c = new Conversation(compiled, {});
    for (let i = 0; i < 3; i++) c.send(says.unclear());
    toWhy(c);
    c.send(says.text('没有'));
    expect(c.text).toBe('再见朋友，推荐分未答。');
  });
});

describe('snapshots', () => {
  it('restores with createActor from the stored JSON just like runTurn does', () => {
    const c = atFav();
    const stored = JSON.parse(JSON.stringify(c.last.snapshot));
    // XState wants an input type-wise, but a restored actor keeps the snapshot's context.
    const actor = createActor(compiled.machine, { snapshot: stored.machine, input: { customer: {}, now: '' } }).start();
    expect(actor.getSnapshot().value).toEqual({ survey: { fav: 'wait' } });
    actor.send({ ...says.click('fav__price'), at: '2025-03-01T03:00:00.000Z' });
    const viaTurn = runTurn(compiled, stored, says.click('fav__price'), new Date('2025-03-01T03:00:00Z'));
    expect(actor.getPersistedSnapshot()).toEqual(viaTurn.snapshot.machine);
    actor.stop();
  });

  it('refuses a snapshot of another flow version, or one that is not a snapshot', () => {
    const turn = startSession(compiled, { customer: {}, now: new Date() });
    const older = { ...turn.snapshot, flowVersion: 2 };
    expect(() => runTurn(compiled, older, says.score(9), new Date())).toThrow(SnapshotMismatchError);
    expect(() => runTurn(compiled, older, says.score(9), new Date())).toThrow(/engine-test v2/);
    const broken = { ...turn.snapshot, machine: { ...turn.snapshot.machine, value: { survey: { gone: 'wait' } } } };
    expect(() => runTurn(compiled, broken, says.score(9), new Date())).toThrow(SnapshotMismatchError);
    try {
      runTurn(compiled, { ...turn.snapshot, snapshotVersion: 9 } as never, says.score(9), new Date());
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'SNAPSHOT_MISMATCH' });
    }
  });

  it('never sends more than 3 messages, even through a long chain of message steps', () => {
    const chain = compileYaml(`
schemaVersion: 1
id: chain
version: 1
title: chain
steps:
${[1, 2, 3, 4, 5].map((n) => `  - { id: m${n}, kind: message, text: 第${n}句 }`).join('\n')}
  - { id: q, kind: csat, touchpoint: 服务, text: 满意吗？ }
${[6, 7, 8, 9].map((n) => `  - { id: m${n}, kind: message, text: 第${n}句 }`).join('\n')}
  - { id: done, kind: end, text: 完 }
`);
    const c = new Conversation(chain);
    expect(c.last.messages).toHaveLength(1);
    expect(c.last.messages[0]).toMatchObject({ kind: 'menu', head: '第1句\n第2句\n第3句\n第4句\n第5句\n满意吗？' });
    c.send(says.click('q__5'));
    expect(c.last.messages).toEqual([{ kind: 'text', text: '第6句\n第7句\n第8句\n第9句\n完' }]);
  });
});
