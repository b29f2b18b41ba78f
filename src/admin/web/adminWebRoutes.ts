import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router, { type RouterContext } from '@koa/router';
import { NotFoundError } from '../../core/errors.ts';

/**
 * The admin web editor at `/admin`: static HTML, CSS and ES modules from `public/` (no build
 * step), plus the `yaml` package's browser build at `/admin/vendor/yaml/` so the page edits YAML
 * with the same parser the server uses. The page holds no data: it calls the admin API with the
 * token the user enters, and renders everything with textContent. A strict CSP forbids inline
 * script as a second line of defence.
 */
export async function createAdminWebRoutes(): Promise<Router> {
  const publicDir = locatePublicDir();
  const files = new Set((await readdir(publicDir)).filter((f) => /^[a-zA-Z0-9_-]+\.(js|css|html)$/.test(f)));
  const yamlDir = join(dirname(dirname(createRequire(import.meta.url).resolve('yaml'))), 'browser', 'dist');
  const router = new Router();

  const send = async (ctx: RouterContext, file: string, cache: string) => {
    ctx.set('Content-Type', contentType(file));
    ctx.set('Cache-Control', cache);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    ctx.body = await readFile(file);
  };

  router.get(['/admin', '/admin/'], async (ctx) => send(ctx, join(publicDir, 'index.html'), 'no-store'));
  router.get('/admin/static/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    if (!files.has(file)) throw new NotFoundError('NOT_FOUND', `No file ${file}`);
    await send(ctx, join(publicDir, file), 'no-cache');
  });
  router.get(/^\/admin\/vendor\/yaml\/(.+)$/, async (ctx) => {
    const rel = decodeURIComponent(ctx.path.slice('/admin/vendor/yaml/'.length));
    const file = resolve(yamlDir, rel);
    if (!/^[a-zA-Z0-9_./-]+\.js$/.test(rel) || rel.split('/').includes('..') || !file.startsWith(yamlDir + sep) || !existsSync(file)) throw new NotFoundError('NOT_FOUND', 'No such file');
    await send(ctx, file, 'public, max-age=3600');
  });
  return router;
}

/** `public/` next to this file; from `dist/` (no copied assets) fall back to the sources. */
function locatePublicDir(): string {
  const here = fileURLToPath(new URL('./public/', import.meta.url));
  if (existsSync(join(here, 'index.html'))) return here;
  const fromSources = resolve('src/admin/web/public');
  if (existsSync(join(fromSources, 'index.html'))) return fromSources;
  throw new Error(`admin web files not found in ${here} or ${fromSources}`);
}

function contentType(file: string): string {
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.css')) return 'text/css; charset=utf-8';
  return 'text/javascript; charset=utf-8';
}
