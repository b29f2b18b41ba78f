/**
 * `{{field}}` and `{{field|fallback}}` placeholders in flow texts. Fields: `customer.<name>`,
 * `answers.<stepId>` and bare flow variables (`{{brand}}`). A missing or empty value renders the
 * fallback, or nothing: a half-known customer must never see a raw placeholder.
 */

const placeholder = /\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}/g;

/** The values a template may read. */
export interface TemplateScope {
  customer: Readonly<Record<string, string | undefined>>;
  /** Display value per answered step (score, choice labels, text). */
  answers: Readonly<Record<string, string | undefined>>;
  variables: Readonly<Record<string, string>>;
}

/** Fills the placeholders of `template` from `scope`. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(placeholder, (_match, field: string, fallback: string | undefined) => {
    const value = lookUp(field, scope);
    return value === undefined || value === '' ? (fallback ?? '').trim() : value;
  });
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
  if (dot === -1) return Object.hasOwn(scope.variables, field) ? scope.variables[field] : undefined;
  const root = field.slice(0, dot);
  const name = field.slice(dot + 1);
  const source = root === 'customer' ? scope.customer : root === 'answers' ? scope.answers : undefined;
  return source !== undefined && Object.hasOwn(source, name) ? source[name] : undefined;
}
