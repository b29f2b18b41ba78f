import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEscalationIndexes } from '../../../src/store/mongo/escalationRepository.ts';
import { surveySessionModel } from '../../../src/store/mongo/models/surveySession.model.ts';
import { ensureSessionIndexes } from '../../../src/store/mongo/sessionRepository.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

let stores: TestStores;
beforeAll(async () => {
  stores = await openTestStores('indexes');
});
afterAll(async () => stores.close());

const names = async (collection: string) =>
  (await stores.mongo.db!.collection(collection).indexes()).map((i) => `${i.name}${i.unique ? ' unique' : ''}`).sort();

describe('indexes on FerretDB (which the tests run on)', () => {
  it('keeps unique indexes, which enforce something, and drops plain ones, which only slow its writes', async () => {
    // A plain index as an earlier version created it.
    await surveySessionModel(stores.mongo).collection.createIndex({ conversationKey: 1, status: 1 });
    expect(await names('surveysessions')).toContain('conversationKey_1_status_1');

    await ensureSessionIndexes(stores.mongo);
    await ensureEscalationIndexes(stores.mongo);

    expect(await names('surveysessions')).toEqual(['_id_']);
    expect(await names('escalations')).toEqual(['_id_', 'openKey_1 unique']);
  });
});
