// The one login card: every page signs in with the same card, the same token hint and the same
// answers to a refused token. The token stays in this tab (sessionStorage) only.
import { h, replace } from './dom.js';

/** The one hint for every sign-in: which tokens exist and where they come from. */
export const TOKEN_HINT = '请输入访问令牌：管理员令牌（ADMIN_TOKEN）、个人令牌（hf_ 开头）或顾问令牌（hfa. 开头），由管理员在「流程管理 → 用户」或「顾问」中发给您。令牌只保存在本标签页中，关闭后需重新输入。';

/** What a refused sign-in means, in words that say what to do. error: {status, code, message}. */
export function signInErrorText(error) {
  const code = error && error.code;
  if (code === 'AUTH_NOT_CONFIGURED') return '服务尚未配置管理员账号：请查看启动日志中的登录链接（npm start 输出的 http://127.0.0.1:3000/login#…）';
  if (code === 'AUTH_RATE_LIMITED') return (error.message || '').split('Too many')[0].trim() || '登录失败次数过多，请稍后再试。';
  if (code === 'CONSOLE_FORBIDDEN') return '顾问控制台只对顾问和管理员开放：请使用顾问令牌或管理员令牌登录。';
  if (code === 'FORBIDDEN') return '您的角色无权查看此页，请联系管理员。';
  if (error && error.status === 401) return '令牌无效或已被撤销：请检查是否完整复制，或请管理员重新发放。';
  return (error && error.message) || '登录失败，请稍后再试。';
}

/**
 * Shows the login card in `container`. onToken(token) tries the token and throws {status, code,
 * message} when it is refused; the card then shows signInErrorText(). message: shown at once
 * (e.g. why the person was signed out).
 */
export function showLoginCard(container, { title = '登录', message = '', onToken }) {
  const token = h('input', { type: 'password', id: 'token', autocomplete: 'off', spellcheck: 'false', placeholder: '访问令牌', 'aria-label': '访问令牌' });
  const error = h('p', { id: 'login-error', class: 'bad', role: 'alert', text: message || '' });
  const button = h('button', { id: 'login-btn', type: 'submit', text: '登录' });
  const form = h(
    'form',
    {
      id: 'login-form',
      class: 'login card',
      onSubmit: async (e) => {
        e.preventDefault();
        const value = token.value.trim();
        if (!value) return;
        button.disabled = true;
        error.textContent = '';
        try {
          await onToken(value);
        } catch (err) {
          error.textContent = signInErrorText(err);
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h1', { text: title }),
    h('p', { class: 'hint', text: TOKEN_HINT }),
    token,
    button,
    error,
  );
  replace(container, form);
  token.focus();
  return form;
}
