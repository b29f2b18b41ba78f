import { z } from 'zod';
import { flowSchema } from './flowSchema.ts';

/**
 * JSON Schema (draft 2020-12) of a flow file as written, i.e. with defaulted fields optional;
 * editors use it for completion. Cross-step rules are not expressible here; run `flow validate`.
 */
export function createFlowJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(flowSchema, { io: 'input' }),
    title: 'huifang survey flow',
    description: 'Survey flow definition, schemaVersion 1. Validate with `npm run flow -- validate FILE`.',
  };
}
