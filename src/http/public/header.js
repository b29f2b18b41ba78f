// The one header: fills every <header class="topbar" data-page="…"> with the brand and the
// navigation between the pages, marking the current one. The page keeps its own .who slot.
import { h } from './dom.js';

export const PAGES = [
  ['home', '/', '首页'],
  ['dashboard', '/dashboard', '数据看板'],
  ['console', '/console', '顾问控制台'],
  ['tasks', '/console#/tasks', '任务'],
  ['admin', '/admin', '流程管理'],
  ['simulator', '/simulator', '模拟器'],
];

export function mountHeader(header) {
  const current = header.dataset.page;
  const pages = h(
    'nav',
    { class: 'pages', 'aria-label': '页面' },
    PAGES.map(([id, href, label]) => h('a', { href, text: label, 'aria-current': id === current ? 'page' : undefined })),
  );
  const brand = h('a', { class: 'brand', href: '/' }, h('img', { src: '/ui/favicon.svg', alt: '' }), '回访');
  header.prepend(brand, pages);
}

for (const header of document.querySelectorAll('header.topbar[data-page]')) mountHeader(header);
