import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The simulator's chat page: `public/chat.html` with its stylesheet and ES module beside it,
 * served under the simulator's prefix (`<prefix>/static/…`), under a CSP that runs no inline
 * script. The page shares the product's DOM helpers and favicon: the composition root names the
 * UI kit's folder (`uiDir`), since the simulator imports nothing of ours.
 */
export interface ChatPageFiles {
  /** The chat page for a simulator mounted at `pathPrefix` ('' or '/simulator'). */
  html(pathPrefix: string): string;
  /** A static file by name (chat.js, chat.css, dom.js, favicon.svg), or undefined. */
  file(name: string): { type: string; body: Buffer } | undefined;
}

export const CHAT_PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

export function chatPageFiles(uiDir: string = resolve('src/http/public')): ChatPageFiles {
  const here = fileURLToPath(new URL('./public/', import.meta.url));
  const pageDir = existsSync(join(here, 'chat.html')) ? here : resolve('src/simulator/public');
  const sources: Record<string, string> = {
    'chat.js': join(pageDir, 'chat.js'),
    'chat.css': join(pageDir, 'chat.css'),
    'dom.js': join(uiDir, 'dom.js'),
    'favicon.svg': join(uiDir, 'favicon.svg'),
  };
  const template = readFileSync(join(pageDir, 'chat.html'), 'utf8');
  return {
    // The prefix is our own configuration (a path), escaped anyway so it cannot leave the attribute.
    html: (pathPrefix) => template.replaceAll('__BASE__', pathPrefix.replace(/[^A-Za-z0-9/_-]/g, '')),
    file: (name) => {
      const path = sources[name];
      if (!path || !existsSync(path)) return undefined;
      return { type: TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream', body: readFileSync(path) };
    },
  };
}
