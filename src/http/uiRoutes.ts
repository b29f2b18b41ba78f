import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { NotFoundError } from '../core/errors.ts';
import { defineRoute, type Route } from './route.ts';
import { fileReply, locatePublicDir, pageRoute, servableFiles, staticFolderRoute } from './staticFiles.ts';

// Swagger UI sets a few styles from script; everything else stays as strict as the other pages.
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SWAGGER_FILES = new Set(['swagger-ui-bundle.js', 'swagger-ui.css']);

/** The UI kit's folder (the simulator's chat page, served apart from the app, reads it too). */
export function uiKitDir(): string {
  return locatePublicDir(import.meta.url, 'src/http/public');
}

/**
 * The UI kit every page shares, served from `public/`: `/ui/kit.css` (design tokens, header, login
 * card, tables, toasts, dialogs), `/ui/dom.js`, `/ui/login.js`, `/ui/header.js`, the favicon;
 * the landing page at `/`; and the API reference at `/api/docs` (Swagger UI from node_modules,
 * never a CDN) over the generated `/api/openapi.json`.
 */
export async function uiRoutes(): Promise<Route[]> {
  const dir = uiKitDir();
  const files = await servableFiles(dir);
  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return [
    pageRoute({ path: '/', file: join(dir, 'index.html'), summary: 'The landing page: links to the dashboard, console, editor and simulator' }),
    staticFolderRoute({ prefix: '/ui', dir, files, summary: 'The UI kit: shared styles, DOM helpers, login card, header and favicon' }),
    defineRoute({
      method: 'get',
      path: '/favicon.ico',
      auth: 'public',
      tags: ['pages'],
      summary: 'The favicon (SVG), for browsers that ask before reading the page',
      output: { description: 'SVG', type: 'image/svg+xml' },
      handler: () => fileReply(join(dir, 'favicon.svg'), 'public, max-age=86400'),
    }),
    pageRoute({ path: '/api/docs', file: join(dir, 'apiDocs.html'), csp: DOCS_CSP, summary: 'The API reference (page): Swagger UI over /api/openapi.json' }),
    defineRoute({
      method: 'get',
      path: '/api/docs/vendor/:file',
      auth: 'public',
      tags: ['pages'],
      summary: 'Swagger UI, served from node_modules',
      input: { params: z.object({ file: z.string() }) },
      output: { description: 'JavaScript or CSS', type: 'text/javascript' },
      errors: { 404: 'NOT_FOUND' },
      handler: ({ params }) => {
        if (!SWAGGER_FILES.has(params.file)) throw new NotFoundError('NOT_FOUND', `No file ${params.file}`);
        return fileReply(join(swaggerDir, params.file), 'public, max-age=86400', DOCS_CSP);
      },
    }),
  ];
}
