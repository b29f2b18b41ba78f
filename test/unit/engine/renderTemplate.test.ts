import { describe, expect, it } from 'vitest';
import { listTemplateFields, renderTemplate } from '../../../src/engine/runtime/renderTemplate.ts';

const scope = {
  customer: { nickname: '李先生', city: '' },
  answers: { nps: '9' },
  variables: { brand: '某某诊所' },
};

describe('renderTemplate', () => {
  it.each([
    ['{{customer.nickname}}您好', '李先生您好'],
    ['{{ customer.nickname | 您 }}好', '李先生好'],
    ['{{customer.age|保密}}', '保密'],
    ['{{customer.city|本地}}', '本地'], // empty counts as missing
    ['{{customer.missing}}好', '好'], // never a raw placeholder
    ['欢迎来{{brand}}，您给了{{answers.nps}}分', '欢迎来某某诊所，您给了9分'],
    ['{{answers.csat|未答}}', '未答'],
    ['{{toString}}|{{customer.constructor}}', '|'], // no prototype lookups
  ])('%s → %s', (template, expected) => {
    expect(renderTemplate(template, scope)).toBe(expected);
  });
});

describe('listTemplateFields', () => {
  it('lists fields and finds syntax errors', () => {
    expect(listTemplateFields('{{a}} and {{customer.b|x}}')).toEqual({ ok: true, fields: ['a', 'customer.b'] });
    expect(listTemplateFields('{{a')).toMatchObject({ ok: false });
    expect(listTemplateFields('{{ }}')).toMatchObject({ ok: false, message: 'empty placeholder "{{ }}"' });
  });
});
