import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NotFoundError } from '../core/errors.ts';
import { defineRoute, reply, type Reply, type Route } from './route.ts';

/** Pages load their own scripts and styles only; nothing inline runs, nothing may frame them. */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * A file of a page (HTML, CSS, an ES module or an SVG) as an answer, with the page CSP and `cache`.
 *
 * @example
 * return fileReply(join(publicDir, 'index.html'), 'no-store');
 */
export async function fileReply(file: string, cache: string, csp: string = PAGE_CSP): Promise<Reply> {
  return reply({
    headers: { 'Content-Type': contentType(file), 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': csp },
    body: await readFile(file),
  });
}

/**
 * The `public/` folder beside a module (`moduleUrl` = its import.meta.url); run from `dist/`
 * without copied assets, the one in the sources (`sourcesDir`, from the working directory).
 * `marker`: a file the folder must hold.
 */
export function locatePublicDir(moduleUrl: string, sourcesDir: string, folder = './public/', marker = 'index.html'): string {
  const here = fileURLToPath(new URL(folder, moduleUrl));
  if (existsSync(join(here, marker))) return here;
  const fromSources = resolve(sourcesDir);
  if (existsSync(join(fromSources, marker))) return fromSources;
  throw new Error(`page files not found in ${here} or ${fromSources}`);
}

/** The files a page folder may serve by name: plain names ending in .js, .css, .html or .svg. */
export async function servableFiles(dir: string): Promise<Set<string>> {
  return new Set((await readdir(dir)).filter((f) => /^[a-zA-Z0-9_-]+\.(js|css|html|svg)$/.test(f)));
}

/**
 * The one way a page folder is served: `GET <prefix>/:file` answers the folder's files by plain
 * name (anything else 404), revalidated on every load so a deploy shows at once.
 *
 * @example
 * staticFolderRoute({ prefix: '/admin/static', dir: publicDir, files, summary: 'The editor’s scripts and styles' })
 */
export function staticFolderRoute(folder: { prefix: string; dir: string; files: Set<string>; summary: string }): Route {
  return defineRoute({
    method: 'get',
    path: `${folder.prefix}/:file`,
    auth: 'public',
    tags: ['pages'],
    summary: folder.summary,
    input: { params: z.object({ file: z.string() }) },
    output: { description: 'JavaScript, CSS, HTML or SVG', type: 'text/javascript' },
    errors: { 404: 'NOT_FOUND' },
    handler: ({ params }) => {
      if (!folder.files.has(params.file)) throw new NotFoundError('NOT_FOUND', `No file ${params.file}`);
      return fileReply(join(folder.dir, params.file), 'no-cache');
    },
  });
}

/** One page: its HTML file at `path`, never cached (it names the scripts to load). */
export function pageRoute(page: { path: string; file: string; summary: string; csp?: string }): Route {
  return defineRoute({
    method: 'get',
    path: page.path,
    auth: 'public',
    tags: ['pages'],
    summary: page.summary,
    output: { description: 'HTML', type: 'text/html' },
    handler: () => fileReply(page.file, 'no-store', page.csp),
  });
}

function contentType(file: string): string {
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.css')) return 'text/css; charset=utf-8';
  if (file.endsWith('.svg')) return 'image/svg+xml';
  if (file.endsWith('.json')) return 'application/json; charset=utf-8';
  return 'text/javascript; charset=utf-8';
}
