// Publishing asks first: a dialog shows what changes for customers (the step-by-step diff of the
// live version and the one about to go live) and publishes only on 确认发布.
import { flowPath, get } from './api.js';
import { useMerchantStyles } from './advisors.js';
import { h } from '/ui/dom.js';
import { renderDiff } from './flowDiff.js';
import { describeError } from './labels.js';

/** Resolves true when the user confirms publishing `to` (over the live `from`, if any). */
export async function confirmPublish(flowId, from, to) {
  useMerchantStyles();
  let body;
  if (!from) body = [h('p', { text: `这个流程还没有线上版本。发布后，新开始的回访使用 v${to}。` })];
  else if (Number(from) === Number(to)) body = [h('p', { text: `v${to} 已经是线上版本。` })];
  else {
    try {
      body = [renderDiff(await get(flowPath(flowId, `/diff?from=${from}&to=${to}`)))].flat();
    } catch (error) {
      body = [h('p', { class: 'bad', text: `无法显示差异：${describeError(error)}` })];
    }
  }
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'publish-confirm', 'aria-label': '确认发布' },
      h('h2', { text: `发布 v${to}？` }),
      h('p', { class: 'muted', text: '发布后，新开始的回访使用这个版本；进行中的回访保持原版本。' }),
      h('div', { class: 'publish-diff' }, body),
      h(
        'div',
        { class: 'dialog-buttons' },
        h('button', { type: 'button', class: 'plain', text: '取消', onClick: () => close(false) }),
        h('button', { type: 'button', text: '确认发布', onClick: () => close(true) }),
      ),
    );
    function close(answer) {
      dialog.close();
      dialog.remove();
      resolve(answer);
    }
    dialog.addEventListener('cancel', () => close(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}
