import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowCatalog } from '../../../src/engine/flowCatalog.ts';
import { createFlowRepository, ensureFlowIndexes } from '../../../src/store/mongo/flowRepository.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

let stores: TestStores;
let dir: string;
let original: string;
beforeAll(async () => {
  stores = await openTestStores('catalog');
  await ensureFlowIndexes(stores.mongo);
  dir = await mkdtemp(join(tmpdir(), 'hf-catalog-'));
  original = await readFile('flows/csat-after-service.yaml', 'utf8');
});
afterAll(async () => {
  await stores.close();
  await rm(dir, { recursive: true, force: true });
});

describe('flow catalog', () => {
  it('imports new content as a published version, skips unchanged files, and refuses an invalid file while serving the last good version', async () => {
    const flows = createFlowRepository(stores.mongo);
    const catalog = createFlowCatalog({ flows, logger: stores.logger, publishedTtlMs: 0 });
    const file = join(dir, 'csat-after-service.yaml');

    await writeFile(file, original);
    expect(await catalog.importDirectory(dir)).toEqual([{ file: 'csat-after-service.yaml', status: 'imported', flowId: 'csat-after-service', version: 1 }]);
    expect(await catalog.importDirectory(dir)).toEqual([{ file: 'csat-after-service.yaml', status: 'unchanged', flowId: 'csat-after-service', version: 1 }]);

    const reworded = original.replace(/title: .*/, 'title: 售后回访（第二版）');
    expect(reworded).not.toBe(original);
    await writeFile(file, reworded);
    expect((await catalog.importDirectory(dir))[0]).toMatchObject({ status: 'imported', version: 2 });
    expect((await catalog.published('csat-after-service'))?.flow.version).toBe(2);

    // A step pointing at a step that does not exist: refused, with the step named.
    const broken = reworded.replace(/steps:\n/, 'steps:\n  - { id: oops, kind: message, text: 你好, next: nowhere }\n');
    await writeFile(file, broken);
    const [result] = await catalog.importDirectory(dir);
    expect(result?.status).toBe('invalid');
    const problems = result?.status === 'invalid' ? result.problems : [];
    expect(problems.some((p) => p.stepId === 'oops' && /nowhere/.test(p.message))).toBe(true);
    expect((await catalog.published('csat-after-service'))?.flow.version).toBe(2);
    expect((await flows.listVersions('csat-after-service')).map((v) => v.version)).toEqual([2, 1]);
  });

  it('compiles a stored version on demand and says when it does not exist', async () => {
    const catalog = createFlowCatalog({ flows: createFlowRepository(stores.mongo), logger: stores.logger });
    expect((await catalog.version('csat-after-service', 1)).flow.version).toBe(1);
    await expect(catalog.version('csat-after-service', 99)).rejects.toMatchObject({ code: 'FLOW_NOT_FOUND' });
    expect(await catalog.published('no-such-flow')).toBeNull();
  });
});
