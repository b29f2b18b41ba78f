import { join } from 'node:path';
import { defineRoute, type Route } from '../../http/route.ts';
import { fileReply, locatePublicDir } from '../../http/staticFiles.ts';

/**
 * `/login`: the page a sign-in link opens (`/login?next=/dashboard#token=…`). Its script keeps the
 * token from the fragment where the other pages read it and goes on; the token never reaches the
 * server in a URL, so no access log holds it.
 */
export function loginRoutes(): Route[] {
  const publicDir = locatePublicDir(import.meta.url, 'src/admin/web/public');
  return [
    defineRoute({
      auth: 'public',
      tags: ['pages'],
      method: 'get',
      path: '/login',
      summary: 'Sign-in page: takes the token from a sign-in link’s #token= fragment',
      output: { description: 'HTML', type: 'text/html' },
      handler: () => fileReply(join(publicDir, 'login.html'), 'no-store'),
    }),
  ];
}
