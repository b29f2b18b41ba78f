import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineRoute, reply, type Route } from '../../http/route.ts';
import { TIMING_LABELS } from '../../sessionFacts/interest.ts';
import { PAGE_CSP, fileReply, locatePublicDir, pageRoute, servableFiles, staticFolderRoute } from '../../http/staticFiles.ts';

/**
 * The dashboard at `/dashboard`: static HTML, CSS and ES modules from `public/` (no build step)
 * and Apache ECharts from node_modules at `/dashboard/vendor/echarts.min.js` (served locally,
 * never from a CDN). The page reuses the admin editor's api.js and dom.js, so it signs in like
 * /admin and renders every text with textContent; a strict CSP forbids inline script.
 */
export async function dashboardRoutes(): Promise<Route[]> {
  const publicDir = locatePublicDir(import.meta.url, 'src/analytics/web/public');
  const files = await servableFiles(publicDir);
  const echarts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  const page = { auth: 'public' as const, tags: ['pages'] };
  const timingModule = `// Generated from sessionFacts/interest.ts: the server's CSV, tasks and this page say the same.\nexport const timingLabels = ${JSON.stringify(TIMING_LABELS)};\n`;
  return [
    pageRoute({ path: '/dashboard', file: join(publicDir, 'index.html'), summary: 'The analytics dashboard (page; signs in with an API token)' }),
    staticFolderRoute({ prefix: '/dashboard/static', dir: publicDir, files, summary: 'The dashboard’s scripts and styles' }),
    defineRoute({
      ...page,
      method: 'get',
      path: '/dashboard/timing.js',
      summary: 'Purchase-timing labels as an ES module, from the one table the server uses (sessionFacts/interest.ts)',
      output: { description: 'JavaScript', type: 'text/javascript' },
      handler: () => reply({ headers: { 'Cache-Control': 'no-cache', 'Content-Security-Policy': PAGE_CSP }, type: 'text/javascript; charset=utf-8', body: timingModule }),
    }),
    defineRoute({
      ...page,
      method: 'get',
      path: '/dashboard/vendor/echarts.min.js',
      summary: 'Apache ECharts, served locally (never from a CDN)',
      output: { description: 'JavaScript', type: 'text/javascript' },
      // A day of caching: 1 MB that changes only with the package version.
      handler: () => fileReply(echarts, 'public, max-age=86400'),
    }),
  ];
}
