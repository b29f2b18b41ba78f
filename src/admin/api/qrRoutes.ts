import QRCode from 'qrcode';
import { z } from 'zod';
import { defineRoute, type Route } from '../../http/route.ts';

const qrBody = z.object({ text: z.string().min(1).max(1000).describe('What the code holds, e.g. a sign-in or referral link') });

/**
 * `POST /api/qr {text}` → `{svg}`: a QR code drawn on the server (the `qrcode` package), so the
 * pages need no QR script of their own. A POST body rather than a URL, because the text can be a
 * sign-in link with a token that must not end up in access logs.
 */
export function qrRoutes(): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/qr',
      auth: 'viewer',
      tags: ['users'],
      summary: 'A QR code (SVG) for a link the page shows, e.g. an advisor’s sign-in link',
      input: { body: qrBody },
      output: z.object({ svg: z.string() }),
      handler: async ({ body }) => ({ svg: await QRCode.toString(body.text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) }),
    }),
  ];
}
