import type { Connection, mongo } from 'mongoose';
import type { Campaign, CampaignStore, Invitation, InvitationStore } from '../../core/campaigns.ts';
import { addCount, type PersonalDataPart } from '../../core/privacy.ts';
import { ConflictError } from '../../core/errors.ts';

type CampaignDoc = Omit<Campaign, 'id'> & { _id: string };
type InvitationDoc = Omit<Invitation, 'id'> & { _id: string };
interface SecretDoc {
  _id: string;
  value: string;
  createdAt: Date;
}

function db(conn: Connection): mongo.Db {
  if (!conn.db) throw new Error('MongoDB is not connected');
  return conn.db;
}

const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === 11000;

/**
 * Campaigns on MongoDB: one small collection (a merchant runs tens of campaigns), read by `_id`
 * and listed whole; named secrets in `campaignsecrets`.
 */
export function createCampaignRepository(conn: Connection): CampaignStore {
  const campaigns = (): mongo.Collection<CampaignDoc> => db(conn).collection<CampaignDoc>('campaigns');
  const secrets = (): mongo.Collection<SecretDoc> => db(conn).collection<SecretDoc>('campaignsecrets');
  return {
    async create(campaign) {
      const { id, ...rest } = campaign;
      try {
        await campaigns().insertOne({ _id: id, ...rest });
      } catch (error) {
        if (isDuplicateKey(error)) throw new ConflictError('CAMPAIGN_EXISTS', `A campaign ${id} exists already`);
        throw error;
      }
      return campaign;
    },
    async get(id) {
      const doc = await campaigns().findOne({ _id: id });
      return doc ? toCampaign(doc) : null;
    },
    async list() {
      const docs = await campaigns().find({}).toArray();
      return docs.map(toCampaign).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
    async update(id, changes) {
      const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      await campaigns().updateOne({ _id: id }, { $set: set });
      const doc = await campaigns().findOne({ _id: id });
      return doc ? toCampaign(doc) : null;
    },
    async storedSecret(name, generate) {
      const found = await secrets().findOne({ _id: name });
      if (found) return found.value;
      try {
        await secrets().insertOne({ _id: name, value: generate(), createdAt: new Date() });
      } catch (error) {
        // Another process stored one first: theirs is the secret.
        if (!isDuplicateKey(error)) throw error;
      }
      return (await secrets().findOne({ _id: name }))!.value;
    },
  };
}

function toCampaign(doc: CampaignDoc): Campaign {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest, ...(rest.contactWay ? { contactWay: { ...rest.contactWay } } : {}) };
}

/**
 * Invitations on MongoDB, one collection per campaign (`invitations_<campaignId>`). Every turn-
 * path read and write is by `_id` (FerretDB answers nothing else from an index); a campaign's
 * download streams its own collection, so it never scans other campaigns' invitations.
 * Duplicates are refused by the `_id` index (insertMany unordered: the others still go in).
 */
export function createInvitationRepository(conn: Connection): InvitationStore {
  const invitations = (campaignId: string): mongo.Collection<InvitationDoc> => db(conn).collection<InvitationDoc>(`invitations_${campaignId}`);
  return {
    async insertMany(campaignId, list) {
      if (!list.length) return { duplicates: [] };
      const docs = list.map(({ id, ...rest }) => ({ _id: id, ...withoutUndefined(rest) }) as InvitationDoc);
      try {
        await invitations(campaignId).insertMany(docs, { ordered: false });
        return { duplicates: [] };
      } catch (error) {
        const writeErrors = (error as { writeErrors?: Array<{ index: number; code?: number; err?: { code?: number } }> }).writeErrors;
        if (!isDuplicateKey(error) || !writeErrors) throw error;
        const list2 = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
        if (list2.some((w) => (w.code ?? w.err?.code) !== 11000)) throw error;
        return { duplicates: list2.map((w) => docs[w.index]!._id) };
      }
    },
    async get(campaignId, id) {
      const doc = await invitations(campaignId).findOne({ _id: id });
      return doc ? toInvitation(doc) : null;
    },
    async update(campaignId, id, changes) {
      const set = withoutUndefined(changes);
      if (Object.keys(set).length) await invitations(campaignId).updateOne({ _id: id }, { $set: set });
    },
    async *stream(campaignId) {
      for await (const doc of invitations(campaignId).find({}).batchSize(1000)) yield toInvitation(doc);
    },
  };
}

function toInvitation(doc: InvitationDoc): Invitation {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * WeCom ids of customers who opted out in a chat (`customers` documents), for filling the
 * campaigns' consent list once. A scan of the customers collection: run it once, in the background.
 */
export async function* optedOutCustomerIds(conn: Connection): AsyncGenerator<string> {
  const customers = db(conn).collection<{ _id: string; customerId: string; optedOut?: boolean }>('customers');
  for await (const doc of customers.find({ optedOut: true }, { projection: { customerId: 1 } }).batchSize(1000)) yield doc.customerId;
}

/**
 * Campaigns' part of a customer's data: the invitations sent to them. They are found by the ids
 * Redis fatigue marks and the sessions name, in each campaign's collection by `_id` (campaigns
 * are tens), and exported or deleted.
 */
export function createCampaignPersonalData(conn: Connection): PersonalDataPart {
  const invitations = (campaignId: string): mongo.Collection<InvitationDoc> => db(conn).collection<InvitationDoc>(`invitations_${campaignId}`);

  async function findInvitations(ids: string[]): Promise<Array<{ campaignId: string; doc: InvitationDoc }>> {
    if (!ids.length) return [];
    const campaignIds = (await db(conn).collection<CampaignDoc>('campaigns').find({}, { projection: { _id: 1 } }).toArray()).map((c) => c._id);
    const found: Array<{ campaignId: string; doc: InvitationDoc }> = [];
    for (const campaignId of campaignIds) {
      for (const id of ids) {
        const doc = await invitations(campaignId).findOne({ _id: id });
        if (doc) found.push({ campaignId, doc });
      }
    }
    return found;
  }

  return {
    async collect(scope) {
      const found = await findInvitations(scope.invitationIds);
      return { invitations: found.map(({ campaignId, doc: { _id, ...rest } }) => ({ id: _id, ...rest, campaignId })) };
    },
    async redactSession() {
      return {};
    },
    async eraseCustomer(scope, counts) {
      for (const { campaignId, doc } of await findInvitations(scope.invitationIds)) {
        addCount(counts, 'invitations', (await invitations(campaignId).deleteOne({ _id: doc._id })).deletedCount);
      }
    },
  };
}
