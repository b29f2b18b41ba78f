// Dead letters (#/deadletters, admins only): inbound messages the conversation set aside after
// they kept failing, with the error; an admin requeues one (after a fix) or dismisses it.
import { get, post } from './api.js';
import { formatTime, h, replace } from '/ui/dom.js';
import { describeError } from './labels.js';

const statusLabels = { open: '待处理', requeued: '已重新排队', dismissed: '已忽略' };

/** What the item says, for a person: the customer's text when it is a message, else the raw item. */
function describeItem(item) {
  try {
    const message = JSON.parse(item);
    if (message && typeof message === 'object' && message.kind) {
      const who = message.conversation ? message.conversation.customerId : '';
      const what = message.kind === 'text' ? `「${message.text}」` : message.kind;
      return `${who} ${what}`;
    }
  } catch {
    // Not JSON: show it as it is.
  }
  return item.length > 200 ? `${item.slice(0, 200)}…` : item;
}

export async function renderDeadLetters(main, { flash }) {
  const { items } = await get('/api/deadletters?limit=200');
  const act = (id, action, done) => async () => {
    try {
      await post(`/api/deadletters/${encodeURIComponent(id)}/${action}`, {});
      flash(done, 'good');
      await renderDeadLetters(main, { flash });
    } catch (error) {
      flash(describeError(error), 'bad');
    }
  };
  const rows = items.map((letter) =>
    h(
      'tr',
      { dataset: { letter: letter.id } },
      h('td', { text: formatTime(letter.at) }),
      h('td', null, h('code', { text: letter.conversationKey })),
      h('td', { text: describeItem(letter.item) }),
      h('td', null, h('code', { text: letter.error.code }), h('div', { class: 'muted small', text: letter.error.message })),
      h('td', { text: String(letter.attempts) }),
      h('td', { text: statusLabels[letter.status] || letter.status }),
      h(
        'td',
        null,
        letter.status === 'open'
          ? [
              h('button', { type: 'button', class: 'plain small', text: '重新排队', onClick: act(letter.id, 'requeue', '已放回该会话的消息队列。') }),
              h('button', { type: 'button', class: 'plain small danger', text: '忽略', onClick: act(letter.id, 'dismiss', '已忽略。') }),
            ]
          : null,
      ),
    ),
  );
  replace(
    main,
    h('h1', { text: '处理失败的消息' }),
    h('p', { class: 'muted', text: '多次处理失败的顾客消息会被移到这里，会话继续往下走，顾客不会看到报错。修复原因后可重新排队，或直接忽略。' }),
    items.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h('table', { class: 'table deadletters-table' }, h('thead', null, h('tr', null, ['时间', '会话', '消息', '错误', '次数', '状态', ''].map((t) => h('th', { text: t })))), h('tbody', null, rows)),
        )
      : h('p', { class: 'muted', text: '没有处理失败的消息。' }),
  );
}
