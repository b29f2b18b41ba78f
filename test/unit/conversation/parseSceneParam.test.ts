import { describe, expect, it } from 'vitest';
import { parseSceneParam } from '../../../src/conversation/parseSceneParam.ts';

// A plain scene_param is unsigned, so it may name a flow and nothing more: a campaign id or a
// reference after the flow id is handed back for the log only (issue 25, item 5).
describe('parseSceneParam', () => {
  it.each([
    [undefined, {}],
    ['', {}],
    ['nps-default', { flowId: 'nps-default' }],
    ['nps-default:spring2026', { flowId: 'nps-default', ignored: 'spring2026' }],
    ['nps-default:spring2026:order-123', { flowId: 'nps-default', ignored: 'spring2026:order-123' }],
    ['nps-default|6650f1c2a1b2c3d4e5f60718', { flowId: 'nps-default', ignored: '6650f1c2a1b2c3d4e5f60718' }],
    ['nps-default%3Aspring2026', { flowId: 'nps-default', ignored: 'spring2026' }],
    ['<script>:x', { ignored: 'x' }],
    [`nps-default:${'x'.repeat(200)}`, { flowId: 'nps-default', ignored: 'x'.repeat(64) }],
  ])('%j → %j', (input, expected) => {
    expect(parseSceneParam(input)).toEqual(expected);
  });
});
