import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import { defineRoute, reply, type Reply, type Route } from '../../http/route.ts';

/**
 * The admin web editor at `/admin`: static HTML, CSS and ES modules from `public/` (no build
 * step), plus the `yaml` package's browser build at `/admin/vendor/yaml/` so the page edits YAML
 * with the same parser the server uses. The page holds no data: it calls the admin API with the
 * token the user enters, and renders everything with textContent. A strict CSP forbids inline
 * script as a second line of defence.
 */
export async function adminWebRoutes(): Promise<Route[]> {
  const publicDir = locatePublicDir();
  const files = new Set((await readdir(publicDir)).filter((f) => /^[a-zA-Z0-9_-]+\.(js|css|html)$/.test(f)));
  const yamlDir = join(dirname(dirname(createRequire(import.meta.url).resolve('yaml'))), 'browser', 'dist');
  const page = { auth: 'public' as const, tags: ['pages'] };
  return [
    defineRoute({
      ...page,
      method: 'get',
      path: '/admin',
      summary: 'The flow editor (page; signs in with an API token)',
      output: { description: 'HTML', type: 'text/html' },
      handler: () => send(join(publicDir, 'index.html'), 'no-store'),
    }),
    defineRoute({
      ...page,
      method: 'get',
      path: '/admin/static/:file',
      summary: 'The editor’s scripts and styles',
      output: { description: 'JavaScript or CSS', type: 'text/javascript' },
      errors: { 404: 'NOT_FOUND' },
      handler: ({ params }) => {
        if (!files.has(params.file)) throw new NotFoundError('NOT_FOUND', `No file ${params.file}`);
        return send(join(publicDir, params.file), 'no-cache');
      },
      input: { params: z.object({ file: z.string() }) },
    }),
    defineRoute({
      ...page,
      method: 'get',
      path: '/admin/vendor/yaml/*path',
      summary: 'The `yaml` package’s browser build, so the editor parses YAML as the server does',
      output: { description: 'JavaScript', type: 'text/javascript' },
      errors: { 404: 'NOT_FOUND' },
      handler: ({ path }) => {
        const rel = decodeURIComponent(path.slice('/admin/vendor/yaml/'.length));
        const file = resolve(yamlDir, rel);
        if (!/^[a-zA-Z0-9_./-]+\.js$/.test(rel) || rel.split('/').includes('..') || !file.startsWith(yamlDir + sep) || !existsSync(file)) throw new NotFoundError('NOT_FOUND', 'No such file');
        return send(file, 'public, max-age=3600');
      },
    }),
  ];
}

async function send(file: string, cache: string): Promise<Reply> {
  return reply({
    headers: {
      'Content-Type': contentType(file),
      'Cache-Control': cache,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
    body: await readFile(file),
  });
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
