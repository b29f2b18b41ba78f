import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerretdb } from '../../../src/store/mongo/connectMongo.ts';
import { openTestStores, type TestStores } from '../../support/testStores.ts';

// FerretDB 1.24 filters `{_id}` with `_ferretdb_sjson->'$._id'` but indexes `->"_id"`, which SQLite
// does not match, so lookups by _id scanned whole tables. Our embedded FerretDB adds an index on
// the queried expression to every table (tools/ferretdb/idindex.go); SQLite's plan shows it.
let stores: TestStores;
beforeAll(async () => {
  stores = await openTestStores('idindex');
});
afterAll(async () => stores.close());

/** SQLite's plan for a find by this _id, as FerretDB's explain reports it. */
async function planFor(collection: string, id: unknown): Promise<string> {
  const result = await stores.mongo.db!.command({ explain: { find: collection, filter: { _id: id } } });
  return JSON.stringify(result.queryPlanner ?? result);
}

/**
 * The index is added within a second of the table's creation; FerretDB's SQLite connections see
 * a schema change at their next write, which the service makes all the time.
 */
async function waitForIndexedPlan(collection: string, id: unknown): Promise<string> {
  let plan = '';
  for (let i = 0; i < 50; i++) {
    await stores.mongo.collection(collection).insertOne({ probe: i });
    plan = await planFor(collection, id);
    if (/USING INDEX/.test(plan)) return plan;
    await new Promise((r) => setTimeout(r, 100));
  }
  return plan;
}

describe('embedded FerretDB', () => {
  it('looks documents up by _id through an index, for string and ObjectId ids, in new collections too', async (ctx) => {
    if (!(await isFerretdb(stores.mongo))) ctx.skip(); // MongoDB indexes _id itself
    const strings = stores.mongo.collection('idindex_strings');
    await strings.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: `doc-${i}` as unknown as Types.ObjectId, n: i })));
    expect(await waitForIndexedPlan('idindex_strings', 'doc-499')).toMatch(/SEARCH .* USING INDEX .*hf_id/);

    const objectIds = stores.mongo.collection('idindex_objectids');
    const last = new Types.ObjectId();
    await objectIds.insertMany([{ n: 1 }, { _id: last, n: 2 }]);
    expect(await waitForIndexedPlan('idindex_objectids', last)).toMatch(/USING INDEX/);
    expect(await objectIds.findOne({ _id: last })).toMatchObject({ n: 2 });

    // Updates and deletes by _id go through the same WHERE clause.
    await strings.updateOne({ _id: 'doc-499' as unknown as Types.ObjectId }, { $set: { n: -1 } });
    expect(await strings.findOne({ _id: 'doc-499' as unknown as Types.ObjectId })).toMatchObject({ n: -1 });
  });
});
