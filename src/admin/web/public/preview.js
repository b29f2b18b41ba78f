// The preview chat beside the editor: runs the current draft through the server's engine and
// analyser in a throwaway session (POST /api/flows/:id/preview). Nothing is stored or sent.
import { ApiError, flowPath, post } from './api.js';
import { h, replace } from '/ui/dom.js';
import { describeError, describeProblem } from './labels.js';

const triggerLabels = { detractor: '贬损者', intent: '客户要求', unreadable: '无法理解', negative: '负面情绪' };
const intentLabels = { escalate: '转人工', opt_out: '退订', later: '稍后再说', question: '提问', back: '返回上一题', unclear: '不明确' };
const sentimentLabels = { positive: '正面', neutral: '中性', negative: '负面' };
const factorLabels = { price: '价格优惠', effect: '效果', convenience: '便利时间', advisor: '顾问', range: '项目丰富' };

export function createPreview(container, { flowId, getSource, enabled }) {
  let state = null;
  let busy = false;
  const log = h('div', { class: 'chat-log', 'aria-label': '预览对话' });
  const input = h('textarea', { class: 'chat-input', rows: 2, placeholder: '以客户身份回复，例如：9分 / 转人工', 'aria-label': '预览输入', disabled: !enabled });
  const sendButton = h('button', { type: 'button', text: '发送', disabled: !enabled, onClick: () => send(input.value) });
  const restartButton = h('button', { type: 'button', class: 'plain small', text: '重新开始', disabled: !enabled, onClick: () => restart() });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send(input.value);
    }
  });
  replace(
    container,
    h('div', { class: 'preview-head' }, h('strong', { text: '预览' }), h('span', { class: 'muted', text: '运行当前草稿 · 不保存、不发送给客户' }), restartButton),
    log,
    h('div', { class: 'chat-send' }, input, sendButton),
  );
  if (!enabled) note('预览需要“编辑”或“管理员”角色。');

  function bubble(who, children) {
    const el = h('div', { class: `msg ${who}` }, h('div', { class: 'bubble' }, children));
    log.append(el);
    log.scrollTop = log.scrollHeight;
    return el;
  }
  function note(text, bad) {
    log.append(h('div', { class: `note${bad ? ' bad' : ''}` }, h('span', { text })));
    log.scrollTop = log.scrollHeight;
  }

  function showTurn(turn) {
    for (const m of turn.messages) {
      if (m.kind === 'menu') {
        bubble('bot', [
          m.head ? h('div', { class: 'text', text: m.head }) : null,
          m.items.map((item) => h('button', { type: 'button', class: 'menu-item', text: item.label, onClick: () => send(item.label, item.id) })),
          m.tail ? h('div', { class: 'text', text: m.tail }) : null,
        ]);
      } else bubble('bot', h('div', { class: 'text', text: m.text }));
    }
    for (const e of turn.effects) {
      if (e.type === 'answer.recorded') note(`${e.inPassing ? '顺带填写' : '记录答案'} ${e.stepId} = ${e.missing ? '（未能识别，跳过）' : JSON.stringify(e.value)}`);
      else if (e.type === 'escalate') note(`将转人工（${triggerLabels[e.trigger] || e.trigger}）`);
      else if (e.type === 'opt_out') note('客户退订，以后不再打扰');
      else if (e.type === 'completed') note('问卷完成');
    }
    if (turn.filled && turn.filled.length) note(`这条回复还回答了：${turn.filled.join('、')}（这些题不会再问）`);
    if (turn.status === 'escalated') note('已转人工：真实会话中机器人会停止回复');
    if (turn.status === 'completed') note('预览结束，可点“重新开始”');
  }

  function showError(error) {
    if (error instanceof ApiError && error.code === 'FLOW_INVALID' && error.problems) {
      note('草稿有错误，修正后才能预览：', true);
      for (const p of error.problems.slice(0, 8)) note(describeProblem(p), true);
    } else note(error instanceof ApiError ? describeError(error) : `预览失败：${error.message}`, true);
  }

  async function restart() {
    if (!enabled || busy) return;
    busy = true;
    state = null;
    replace(log);
    try {
      const turn = await post(flowPath(flowId, '/preview'), { source: getSource() });
      state = turn.state;
      showTurn(turn);
    } catch (error) {
      showError(error);
    } finally {
      busy = false;
    }
  }

  async function send(text, menuId) {
    if (!enabled || busy) return;
    if (!menuId && text.trim() === '') return;
    if (state === null) {
      await restart();
      if (state === null) return;
    }
    busy = true;
    input.value = '';
    bubble('me', h('div', { class: 'text', text }));
    try {
      const turn = await post(flowPath(flowId, '/preview'), { source: getSource(), state, text, ...(menuId ? { menuId } : {}) });
      state = turn.state;
      if (turn.analysis) {
        const a = turn.analysis;
        const bits = [
          a.intent && a.intent !== 'answer' ? `意图：${intentLabels[a.intent] || a.intent}` : null,
          a.score !== undefined && a.score !== null ? `分数 ${a.score}` : null,
          a.sentiment ? `情绪：${sentimentLabels[a.sentiment.label] || a.sentiment.label}` : null,
          Array.isArray(a.choices) && a.choices.length ? `选择 ${a.choices.join('、')}` : null,
          Array.isArray(a.products) && a.products.length ? `产品 ${a.products.join('、')}` : null,
          a.openInterest ? '产品：都感兴趣' : null,
          Array.isArray(a.factors) && a.factors.length ? `因素 ${a.factors.map((f) => factorLabels[f] || f).join('、')}` : null,
        ].filter(Boolean);
        if (bits.length) note(`理解：${bits.join('，')}`);
      }
      showTurn(turn);
    } catch (error) {
      busy = false;
      showError(error);
      if (error instanceof ApiError && error.code === 'PREVIEW_STALE') await restart();
      return;
    }
    busy = false;
  }

  return { restart, send };
}
