import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import { defineRoute, reply, type Reply, type Route } from '../../http/route.ts';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The dashboard at `/dashboard`: static HTML, CSS and ES modules from `public/` (no build step)
 * and Apache ECharts from node_modules at `/dashboard/vendor/echarts.min.js` (served locally,
 * never from a CDN). The page reuses the admin editor's api.js and dom.js, so it signs in like
 * /admin and renders every text with textContent; a strict CSP forbids inline script.
 */
export async function dashboardRoutes(): Promise<Route[]> {
  const publicDir = locatePublicDir();
  const files = new Set((await readdir(publicDir)).filter((f) => /^[a-zA-Z0-9_-]+\.(js|css|html)$/.test(f)));
  const echarts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  const page = { auth: 'public' as const, tags: ['pages'] };
  return [
    defineRoute({
      ...page,
      method: 'get',
      path: '/dashboard',
      summary: 'The analytics dashboard (page; signs in with an API token)',
      output: { description: 'HTML', type: 'text/html' },
      handler: () => send(join(publicDir, 'index.html'), 'no-store'),
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
        return send(join(publicDir, params.file), 'no-cache');
      },
    }),
    defineRoute({
      ...page,
      method: 'get',
      path: '/dashboard/vendor/echarts.min.js',
      summary: 'Apache ECharts, served locally (never from a CDN)',
      output: { description: 'JavaScript', type: 'text/javascript' },
      // A day of caching: 1 MB that changes only with the package version.
      handler: () => send(echarts, 'public, max-age=86400'),
    }),
  ];
}

async function send(file: string, cache: string): Promise<Reply> {
  return reply({
    headers: { 'Content-Type': contentType(file), 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': CSP },
    body: await readFile(file),
  });
}

/** `public/` next to this file; from `dist/` without copied assets, fall back to the sources. */
function locatePublicDir(): string {
  const here = fileURLToPath(new URL('./public/', import.meta.url));
  if (existsSync(join(here, 'index.html'))) return here;
  const fromSources = resolve('src/analytics/web/public');
  if (existsSync(join(fromSources, 'index.html'))) return fromSources;
  throw new Error(`dashboard files not found in ${here} or ${fromSources}`);
}

function contentType(file: string): string {
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.css')) return 'text/css; charset=utf-8';
  return 'text/javascript; charset=utf-8';
}
