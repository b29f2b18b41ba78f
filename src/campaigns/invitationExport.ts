import QRCode from 'qrcode';
import type { Invitation } from '../core/campaigns.ts';
import { localTimeOf } from '../core/calendar.ts';

const COLUMNS = ['customerRef', 'name', 'phone', 'externalUserId', 'advisorUserId', 'store', 'orderId', 'products', 'touchpoint', 'visitAt', 'sendAt', 'expiresAt', 'status', 'openedAt', 'completedAt', 'url', 'sceneParam'] as const;

/** An invitation's furthest step: completed, started, opened, expired or invited. */
export function invitationStatus(invitation: Invitation, now: Date): string {
  if (invitation.completedAt) return 'completed';
  if (invitation.startedAt) return 'started';
  if (invitation.openedAt) return 'opened';
  return now.getTime() > invitation.expiresAt.getTime() ? 'expired' : 'invited';
}

/** One CSV cell: quoted when needed; a leading = + - @ is neutralised so spreadsheets do not run it. */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function localTime(at: Date | undefined, timeZone: string): string {
  if (!at) return '';
  const t = localTimeOf(at, timeZone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${p(t.month)}-${p(t.day)} ${p(t.hour)}:${p(t.minute)}`;
}

/**
 * A campaign's invitations as CSV lines for the merchant's SMS or app push (UTF-8 with a BOM so
 * Excel reads the Chinese; times local to the survey time zone). Streams: one line at a time.
 */
export async function* invitationCsvLines(invitations: AsyncIterable<Invitation>, options: { urlOf: (i: Invitation) => string; timeZone: string; now: Date }): AsyncGenerator<string> {
  yield `\uFEFF${COLUMNS.join(',')}\r\n`;
  for await (const i of invitations) {
    const values: Record<(typeof COLUMNS)[number], string> = {
      customerRef: i.customerRef,
      name: i.name ?? '',
      phone: i.phone ?? '',
      externalUserId: i.externalUserId ?? '',
      advisorUserId: i.advisorUserId ?? '',
      store: i.store ?? '',
      orderId: i.orderId ?? '',
      products: (i.products ?? []).join('、'),
      touchpoint: i.touchpoint ?? '',
      visitAt: localTime(i.visitAt, options.timeZone),
      sendAt: localTime(i.sendAt, options.timeZone),
      expiresAt: localTime(i.expiresAt, options.timeZone),
      status: invitationStatus(i, options.now),
      openedAt: localTime(i.openedAt, options.timeZone),
      completedAt: localTime(i.completedAt, options.timeZone),
      url: options.urlOf(i),
      sceneParam: i.sceneParam,
    };
    yield `${COLUMNS.map((c) => cell(values[c])).join(',')}\r\n`;
  }
}

/** The invitation link as a QR code PNG (scanned in WeChat, it opens the kf chat). */
export function invitationQrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 360 });
}
