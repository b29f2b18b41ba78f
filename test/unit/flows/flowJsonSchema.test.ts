import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFlowJsonSchema } from '../../../src/engine/index.ts';

describe('flows/flow.schema.json', () => {
  it('is the JSON Schema the code builds (regenerate with `npm run -s flow -- schema > flows/flow.schema.json`)', () => {
    const onDisk: unknown = JSON.parse(readFileSync('flows/flow.schema.json', 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(createFlowJsonSchema())));
  });

  it('is referenced by every shipped flow, so editors complete and check them', () => {
    const files = readdirSync('flows').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files.map((f) => `flows/${f}`)) {
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./flow.schema.json');
    }
  });
});
