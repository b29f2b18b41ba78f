import { createRequire } from 'node:module';
import { join } from 'node:path';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import { defineRoute, type Route } from '../../http/route.ts';
import { fileReply, locatePublicDir, servableFiles } from '../../http/staticFiles.ts';

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
  return [
    defineRoute({
      ...page,
      method: 'get',
      path: '/dashboard',
      summary: 'The analytics dashboard (page; signs in with an API token)',
      output: { description: 'HTML', type: 'text/html' },
      handler: () => fileReply(join(publicDir, 'index.html'), 'no-store'),
    }),
    defineRoute({
      ...page,
      method: 'get',
      path: '/dashboard/static/:file',
      summary: 'The dashboard’s scripts and styles',
      input: { params: z.object({ file: z.string() }) },
      output: { description: 'JavaScript or CSS', type: 'text/javascript' },
      errors: { 404: 'NOT_FOUND' },
      handler: ({ params }) => {
        if (!files.has(params.file)) throw new NotFoundError('NOT_FOUND', `No file ${params.file}`);
        return fileReply(join(publicDir, params.file), 'no-cache');
      },
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
