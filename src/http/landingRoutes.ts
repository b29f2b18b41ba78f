import { staticRoute, type Route } from './route.ts';

const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

const PAGES: Array<[string, string, string]> = [
  ['/dashboard', '数据看板', 'NPS、满意度、复购意向、漏斗与原话，自动刷新'],
  ['/console', '顾问控制台', '处理转人工的顾客，查看对话并回复'],
  ['/admin', '流程管理', '编辑、预览、发布回访问卷'],
  ['/simulator', '企业微信模拟器', '扮演顾客体验回访（未配置企业微信凭据时可用）'],
];

const HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>回访（huifang）</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/landing.css">
</head>
<body>
<main>
<h1>回访 <small>huifang</small></h1>
<p class="lead">在企业微信客服中以对话方式做 NPS、满意度与复购回访。</p>
<ul>
${PAGES.map(([href, title, text]) => `<li><a href="${href}"><strong>${title}</strong><span>${text}</span></a></li>`).join('\n')}
</ul>
<p class="first">首次使用：服务第一次启动时会在日志里打印一条登录链接（<code>http://127.0.0.1:3000/login#token=…</code>），打开它即以管理员身份登录。链接丢了：停止服务，运行 <code>npm run admin -- sign-in-link</code> 生成新的。</p>
<p class="foot"><a href="/api/openapi.json">API 文档（OpenAPI）</a> · <a href="/healthz">健康检查</a></p>
</main>
</body>
</html>`;

const CSS = `*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1f2329;font:15px/1.6 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
main{max-width:720px;margin:0 auto;padding:48px 18px}
h1{font-size:26px;margin:0}h1 small{font-size:14px;color:#8a919f;font-weight:400}
.lead{color:#5c6370;margin:6px 0 24px}
ul{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
li a{display:block;background:#fff;border-radius:8px;padding:16px 18px;box-shadow:0 1px 3px rgba(0,0,0,.08);color:inherit;text-decoration:none;height:100%}
li a:hover{box-shadow:0 2px 8px rgba(29,111,224,.25)}
li strong{display:block;color:#1d6fe0;font-size:17px}li span{color:#5c6370;font-size:13px}
.first{margin-top:24px;font-size:14px;color:#5c6370;background:#fff;border-radius:8px;padding:12px 16px;overflow-wrap:anywhere}.first code{font-size:12px}
.foot{margin-top:24px;font-size:13px;color:#8a919f}.foot a{color:#5c6370}`;

/**
 * `/`: a small landing page linking the dashboard, the console, the admin editor and the WeCom
 * simulator. Static text only (no script), under a CSP that allows none.
 */
export function landingRoutes(): Route[] {
  return [
    staticRoute({ path: '/', type: 'text/html; charset=utf-8', body: HTML, headers: HEADERS, summary: 'The landing page: links to the dashboard, console, editor and simulator' }),
    staticRoute({ path: '/landing.css', type: 'text/css; charset=utf-8', body: CSS, headers: HEADERS, summary: 'The landing page’s style' }),
  ];
}
