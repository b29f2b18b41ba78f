import { describe, expect, it } from 'vitest';
import { renderMassText } from '../../../src/campaigns/massSend.ts';

// Mass-send texts read the invitation's own fields only (issue 25, item 6): `{{constructor}}`
// rendered `function Object() { [native code] }` into a message to customers.
describe('renderMassText', () => {
  const fields = { name: '陈女士', visit: '11月28日在静安店的护理' };
  it.each([
    ['{{name|您}}好！关于{{visit|服务}}', '陈女士好！关于11月28日在静安店的护理'],
    ['{{store|本店}}', '本店'],
    ['{{constructor}}', ''],
    ['{{constructor|您}}好', '您好'],
    ['{{toString}}{{valueOf}}{{hasOwnProperty}}', ''],
    ['{{proto|x}}', 'x'],
  ])('%s → %j', (template, expected) => {
    expect(renderMassText(template, fields)).toBe(expected);
  });
});
