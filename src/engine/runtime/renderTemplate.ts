/**
 * `{{field}}` and `{{field|fallback}}` placeholders in flow texts. Fields: `customer.<name>`,
 * `answers.<stepId>` and bare flow variables (`{{brand}}`). A missing or empty value renders the
 * fallback, or nothing: a half-known customer must never see a raw placeholder. Only own string
 * properties are read (`{{constructor}}` is missing); customers' words and fields are cut to
 * `messageLimits.fieldChars`, and the whole text to one WeCom message.
 */
import { ownText } from '../../core/ownText.ts';
import { capBytes, capChars, fieldMaxBytes, messageLimits, utf8Bytes } from './messageSize.ts';

const placeholder = /\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}/g;

/** The values a template may read. */
export interface TemplateScope {
  customer: Readonly<Record<string, string | undefined>>;
  /** Display value per answered step (score, choice labels, text). */
  answers: Readonly<Record<string, string | undefined>>;
  variables: Readonly<Record<string, string>>;
  /** The flow's links (`links.review`: settings.reviewUrl); never cut, since a cut link is no link. */
  links?: Readonly<Record<string, string | undefined>>;
}

/** Fills the placeholders of `template` from `scope`. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  const rendered = template.replace(placeholder, (_match, field: string, fallback: string | undefined) => {
    const value = lookUp(field, scope);
    return value === undefined || value === '' ? (fallback ?? '').trim() : value;
  });
  // A flow published before the size check could still overflow; the customer gets the start of it.
  return capBytes(rendered, messageLimits.textBytes);
}

/**
 * The most UTF-8 bytes `template` can render to: literal text, variables as they are, and every
 * customer or answer field at its cap (or its fallback, if longer).
 *
 * @example
 * worstCaseBytes('谢谢！{{answers.reason}}', {}); // 9 + 600
 */
export function worstCaseBytes(template: string, variables: Readonly<Record<string, string>>): number {
  let total = utf8Bytes(template.replace(placeholder, ''));
  for (const match of template.matchAll(placeholder)) {
    const field = match[1] ?? '';
    const value = field.includes('.') ? fieldMaxBytes : utf8Bytes(ownText(variables, field) ?? '');
    total += Math.max(value, utf8Bytes((match[2] ?? '').trim()));
  }
  return total;
}

/** The fields a template reads, or a syntax error (an unclosed or empty placeholder). */
export function listTemplateFields(template: string): { ok: true; fields: string[] } | { ok: false; message: string } {
  const fields: string[] = [];
  for (const match of template.matchAll(placeholder)) {
    const field = match[1] ?? '';
    if (field === '') return { ok: false, message: `empty placeholder "${match[0]}"` };
    fields.push(field);
  }
  if (template.replace(placeholder, '').includes('{{')) {
    return { ok: false, message: 'has a "{{" without a matching "}}"' };
  }
  return { ok: true, fields };
}

function lookUp(field: string, scope: TemplateScope): string | undefined {
  const dot = field.indexOf('.');
  // Variables are the flow author's own text, checked at publish time: used as written.
  if (dot === -1) return ownText(scope.variables, field);
  const root = field.slice(0, dot);
  const name = field.slice(dot + 1);
  if (root === 'links') return ownText(scope.links ?? {}, name);
  const source = root === 'customer' ? scope.customer : root === 'answers' ? scope.answers : undefined;
  const value = source === undefined ? undefined : ownText(source, name);
  return value === undefined ? undefined : capChars(value, messageLimits.fieldChars);
}
