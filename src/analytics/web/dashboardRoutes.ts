import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router, { type RouterContext } from '@koa/router';
import { NotFoundError } from '../../core/errors.ts';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The dashboard at `/dashboard`: static HTML, CSS and ES modules from `public/` (no build step)
 * and Apache ECharts from node_modules at `/dashboard/vendor/echarts.min.js` (served locally,
 * never from a CDN). The page reuses the admin editor's api.js and dom.js, so it signs in like
 * /admin and renders every text with textContent; a strict CSP forbids inline script.
 */
export async function createDashboardRoutes(): Promise<Router> {
  const publicDir = locatePublicDir();
  const files = new Set((await readdir(publicDir)).filter((f) => /^[a-zA-Z0-9_-]+\.(js|css|html)$/.test(f)));
  const echarts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  const router = new Router();

  const send = async (ctx: RouterContext, file: string, cache: string) => {
    ctx.set('Content-Type', contentType(file));
    ctx.set('Cache-Control', cache);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Content-Security-Policy', CSP);
    ctx.body = await readFile(file);
  };

  router.get(['/dashboard', '/dashboard/'], async (ctx) => send(ctx, join(publicDir, 'index.html'), 'no-store'));
  router.get('/dashboard/static/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    if (!files.has(file)) throw new NotFoundError('NOT_FOUND', `No file ${file}`);
    await send(ctx, join(publicDir, file), 'no-cache');
  });
  // A day of caching: 1 MB that changes only with the package version.
  router.get('/dashboard/vendor/echarts.min.js', async (ctx) => send(ctx, echarts, 'public, max-age=86400'));
  return router;
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
