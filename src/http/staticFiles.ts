import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reply, type Reply } from './route.ts';

/** Pages load their own scripts and styles only; nothing inline runs, nothing may frame them. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * A file of a page (HTML, CSS or an ES module) as an answer, with the page CSP and `cache`.
 *
 * @example
 * return fileReply(join(publicDir, 'index.html'), 'no-store');
 */
export async function fileReply(file: string, cache: string): Promise<Reply> {
  return reply({
    headers: { 'Content-Type': contentType(file), 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': PAGE_CSP },
    body: await readFile(file),
  });
}

/**
 * The `public/` folder beside a module (`moduleUrl` = its import.meta.url); run from `dist/`
 * without copied assets, the one in the sources (`sourcesDir`, from the working directory).
 */
export function locatePublicDir(moduleUrl: string, sourcesDir: string): string {
  const here = fileURLToPath(new URL('./public/', moduleUrl));
  if (existsSync(join(here, 'index.html'))) return here;
  const fromSources = resolve(sourcesDir);
  if (existsSync(join(fromSources, 'index.html'))) return fromSources;
  throw new Error(`page files not found in ${here} or ${fromSources}`);
}

/** The files a page folder may serve by name: plain names ending in .js, .css or .html. */
export async function servableFiles(dir: string): Promise<Set<string>> {
  return new Set((await readdir(dir)).filter((f) => /^[a-zA-Z0-9_-]+\.(js|css|html)$/.test(f)));
}

function contentType(file: string): string {
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.css')) return 'text/css; charset=utf-8';
  return 'text/javascript; charset=utf-8';
}
