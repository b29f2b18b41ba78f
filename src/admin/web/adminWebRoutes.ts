import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { NotFoundError } from '../../core/errors.ts';
import { defineRoute, type Route } from '../../http/route.ts';
import { fileReply, locatePublicDir, pageRoute, servableFiles, staticFolderRoute } from '../../http/staticFiles.ts';

/**
 * The admin web editor at `/admin`: static HTML, CSS and ES modules from `public/` (no build
 * step), plus the `yaml` package's browser build at `/admin/vendor/yaml/` so the page edits YAML
 * with the same parser the server uses. The page holds no data: it calls the admin API with the
 * token the user enters, and renders everything with textContent. A strict CSP forbids inline
 * script as a second line of defence.
 */
export async function adminWebRoutes(): Promise<Route[]> {
  const publicDir = locatePublicDir(import.meta.url, 'src/admin/web/public');
  const files = await servableFiles(publicDir);
  const yamlDir = join(dirname(dirname(createRequire(import.meta.url).resolve('yaml'))), 'browser', 'dist');
  const page = { auth: 'public' as const, tags: ['pages'] };
  return [
    pageRoute({ path: '/admin', file: join(publicDir, 'index.html'), summary: 'The flow editor (page; signs in with an API token)' }),
    staticFolderRoute({ prefix: '/admin/static', dir: publicDir, files, summary: 'The editor’s scripts and styles' }),
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
        return fileReply(file, 'public, max-age=3600');
      },
    }),
  ];
}
