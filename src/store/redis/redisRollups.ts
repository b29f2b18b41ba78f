import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CellDims, Contribution, Period, RollupStore, RollupTarget, StoredQuote } from '../../analytics/ports.ts';
import { ConflictError } from '../../core/errors.ts';
import { scanKeys } from './connectRedis.ts';
import type { RedisKeys } from './redisKeys.ts';

/**
 * Most recent quotes kept per list and month (`<group>:*`, `<group>:<topic>`): enough to show,
 * bounded in memory whatever the volume. Counts come from the rollups, not from these lists.
 */
export const QUOTE_CAP = 50;

/*
 * Layout under `an:{<flow>}:` (keys.analytics): `gen` names the live generation G and `next` a
 * generation being rebuilt. Under `<G>:`
 *   resp                 hash  responseId → what each part added, compactly (see encodeState)
 *   dict, names          hash  counter and list names ↔ small numbers used in `resp`
 *   d:<day>:<cell>       hash  counters of one day and cell; cell `*` sums every cell
 *   m:<month>:<cell>     hash  the same per month
 *   cells:d:<day>, cells:m:<month>   sets of cells with counters in that period
 *   months               set   months with data
 *   celldims             hash  cell → JSON of its attributes
 *   open                 hash  responseId → "<revision>\n<facts JSON>" until its record is stored
 *   q:<month>:<list>     zset  quote members by answer time, capped; `…:t` hash member → quote JSON
 *
 * APPLY swaps one part's contribution atomically (Redis runs a script alone): if the revision is
 * newer than the part's last, subtract what the part added before, add the new, remember it. So
 * no increment is lost between processes, a repeat is a no-op, and an older revision is ignored.
 * Deltas are netted first, so a turn that adds one answer touches only that answer's counters.
 */
const APPLY = `
local base, responseId, partId, rev, cell, dimsJson = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local new = cjson.decode(ARGV[7])
local cap, mode, openFacts = tonumber(ARGV[8]), ARGV[9], ARGV[10] or ''

local function tally(delta, lines, c, sign)
  for _, line in ipairs(lines) do
    local day = line[1]
    for i = 2, #line do
      for _, k in ipairs({c .. '\\0' .. day .. '\\0' .. line[i], '*\\0' .. day .. '\\0' .. line[i]}) do
        delta[k] = (delta[k] or 0) + sign
      end
    end
  end
end

-- Counters move by their net change only. A cell joins its period's set when one of its counters
-- turns positive: a counter that was positive already means the cell is listed (sets only grow).
local function flush(g, delta)
  for k, n in pairs(delta) do
    if n ~= 0 then
      local c, day, f = string.match(k, '^([^%z]*)%z([^%z]*)%z(.*)$')
      local month = string.sub(day, 1, 7)
      local dayKey, monthKey = g .. 'd:' .. day .. ':' .. c, g .. 'm:' .. month .. ':' .. c
      local dv = redis.call('hincrby', dayKey, f, n)
      if dv == 0 then redis.call('hdel', dayKey, f) end
      local mv = redis.call('hincrby', monthKey, f, n)
      if mv == 0 then redis.call('hdel', monthKey, f) end
      if dv > 0 and dv - n <= 0 then redis.call('sadd', g .. 'cells:d:' .. day, c) end
      if mv > 0 and mv - n <= 0 then
        redis.call('sadd', g .. 'cells:m:' .. month, c)
        redis.call('sadd', g .. 'months', month)
      end
    end
  end
end

-- A quote is the same when its answer time, month, step and lists are: then only its text is
-- refreshed (if it is still listed), instead of being dropped and added again.
local function quoteSig(q)
  return q[1] .. '/' .. q[2] .. '/' .. q[3] .. '/' .. table.concat(q, ',', 5)
end

local function dropQuotes(g, quotes, keep)
  for _, q in ipairs(quotes) do
    if not keep[quoteSig(q)] then
      for i = 5, #q do
        local z = g .. 'q:' .. q[2] .. ':' .. q[i]
        redis.call('zrem', z, q[3])
        redis.call('hdel', z .. ':t', q[3])
      end
    end
  end
end

local function addQuotes(g, quotes, had)
  for _, q in ipairs(quotes) do
    local same = had[quoteSig(q)]
    for i = 5, #q do
      local z = g .. 'q:' .. q[2] .. ':' .. q[i]
      if same then
        if redis.call('zscore', z, q[3]) then redis.call('hset', z .. ':t', q[3], q[4]) end
      else
        redis.call('zadd', z, q[1], q[3])
        redis.call('hset', z .. ':t', q[3], q[4])
        local extra = redis.call('zcard', z) - cap
        if extra > 0 then
          local gone = redis.call('zrange', z, 0, extra - 1)
          redis.call('zremrangebyrank', z, 0, extra - 1)
          redis.call('hdel', z .. ':t', unpack(gone))
        end
      end
    end
  end
end

local function sigsOf(quotes)
  local set = {}
  for _, q in ipairs(quotes) do set[quoteSig(q)] = true end
  return set
end

-- What each response added is stored compactly (~10 bytes a counter instead of its name): every
-- counter and quote-list name gets a small number in the generation's dictionary. A state is a
-- line c=<cell>, then a line per part: <part>|<revision>|<day>:<id>,<id>…;…|<score>/<month>/<step>/<list id>,…;…
-- Names ↔ numbers are read and written in one command per batch (HMGET / HSET), not per name.
local function idsOf(g, names)
  local ids = {}
  if #names == 0 then return ids end
  local unique, seen = {}, {}
  for _, name in ipairs(names) do
    if not seen[name] then seen[name] = true; unique[#unique + 1] = name end
  end
  local found = redis.call('hmget', g .. 'dict', unpack(unique))
  local missing = {}
  for i, name in ipairs(unique) do
    if found[i] then ids[name] = found[i] else missing[#missing + 1] = name end
  end
  if #missing > 0 then
    local last = redis.call('hincrby', g .. 'dict', '#', #missing)
    local toDict, toNames = {}, {}
    for i, name in ipairs(missing) do
      local id = tostring(last - #missing + i)
      ids[name] = id
      toDict[#toDict + 1] = name; toDict[#toDict + 1] = id
      toNames[#toNames + 1] = id; toNames[#toNames + 1] = name
    end
    redis.call('hset', g .. 'dict', unpack(toDict))
    redis.call('hset', g .. 'names', unpack(toNames))
  end
  return ids
end

local function namesOf(g, ids)
  if #ids == 0 then return {} end
  return redis.call('hmget', g .. 'names', unpack(ids))
end

local function decodeState(raw)
  local state = {p = {}}
  for line in string.gmatch(raw or '', '[^\\n]+') do
    if string.sub(line, 1, 2) == 'c=' then state.c = string.sub(line, 3)
    else
      local id, v, rows, quotes = string.match(line, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
      if id then state.p[id] = {v = v, re = rows, qe = quotes, e = rows .. '|' .. quotes} end
    end
  end
  return state
end

local function rowsOf(g, part)
  if not part.r then
    local days, idLists, all = {}, {}, {}
    for row in string.gmatch(part.re, '[^;]+') do
      local day, ids = string.match(row, '^([^:]*):(.*)$')
      local list = {}
      for id in string.gmatch(ids, '[^,]+') do list[#list + 1] = id; all[#all + 1] = id end
      days[#days + 1] = day
      idLists[#idLists + 1] = list
    end
    local names, at, rows = namesOf(g, all), 0, {}
    for i, day in ipairs(days) do
      local line = {day}
      for _ = 1, #idLists[i] do at = at + 1; line[#line + 1] = names[at] end
      rows[i] = line
    end
    part.r = rows
  end
  return part.r
end

local function quotesOf(g, part)
  if not part.q then
    local out, idLists, all = {}, {}, {}
    for item in string.gmatch(part.qe, '[^;]+') do
      local score, month, step, lists = string.match(item, '^([^/]*)/([^/]*)/([^/]*)/(.*)$')
      local list = {}
      for id in string.gmatch(lists, '[^,]+') do list[#list + 1] = id; all[#all + 1] = id end
      out[#out + 1] = {score, month, responseId .. '|' .. step, ''}
      idLists[#idLists + 1] = list
    end
    local names, at = namesOf(g, all), 0
    for i, q in ipairs(out) do
      for _ = 1, #idLists[i] do at = at + 1; q[#q + 1] = names[at] end
    end
    part.q = out
  end
  return part.q
end

local function encodePart(g, part)
  local all = {}
  for _, line in ipairs(part.r) do for i = 2, #line do all[#all + 1] = line[i] end end
  for _, q in ipairs(part.q) do for i = 5, #q do all[#all + 1] = q[i] end end
  local idOf = idsOf(g, all)
  local rows = {}
  for _, line in ipairs(part.r) do
    local ids = {}
    for i = 2, #line do ids[#ids + 1] = idOf[line[i]] end
    rows[#rows + 1] = line[1] .. ':' .. table.concat(ids, ',')
  end
  local quotes = {}
  for _, q in ipairs(part.q) do
    local ids = {}
    for i = 5, #q do ids[#ids + 1] = idOf[q[i]] end
    quotes[#quotes + 1] = q[1] .. '/' .. q[2] .. '/' .. string.match(q[3], '|(.*)$') .. '/' .. table.concat(ids, ',')
  end
  return table.concat(rows, ';') .. '|' .. table.concat(quotes, ';')
end

local function encodeState(g, state)
  local lines = {'c=' .. state.c}
  for id, part in pairs(state.p) do lines[#lines + 1] = id .. '|' .. part.v .. '|' .. (part.e or encodePart(g, part)) end
  return table.concat(lines, '\\n')
end

local function applyTo(g)
  local state = decodeState(redis.call('hget', g .. 'resp', responseId))
  local old = state.p[partId]
  if old and tonumber(old.v) >= rev then return 0 end
  local oldCell = state.c
  local newCell = cell ~= '' and cell or (oldCell or '_')
  -- A cell the response is already filed under had its attributes stored when it was first used.
  if cell ~= '' and cell ~= oldCell then redis.call('hsetnx', g .. 'celldims', cell, dimsJson) end
  local delta = {}
  local fresh = {v = ARGV[4], r = new.r, q = new.q}
  if oldCell and oldCell ~= newCell then
    for _, part in pairs(state.p) do tally(delta, rowsOf(g, part), oldCell, -1) end
    state.p[partId] = fresh
    for _, part in pairs(state.p) do tally(delta, rowsOf(g, part), newCell, 1) end
  else
    if old then tally(delta, rowsOf(g, old), newCell, -1) end
    state.p[partId] = fresh
    tally(delta, new.r, newCell, 1)
  end
  flush(g, delta)
  local had = old and sigsOf(quotesOf(g, old)) or {}
  if old then dropQuotes(g, quotesOf(g, old), sigsOf(new.q)) end
  addQuotes(g, new.q, had)
  if partId == 's' then
    if openFacts ~= '' then redis.call('hset', g .. 'open', responseId, ARGV[4] .. '\\n' .. openFacts)
    else redis.call('hdel', g .. 'open', responseId) end
  end
  state.c = newCell
  redis.call('hset', g .. 'resp', responseId, encodeState(g, state))
  return 1
end

local gens = {}
if mode == 'live' then
  gens[1] = redis.call('get', KEYS[1]) or '0'
  local building = redis.call('get', KEYS[2])
  if building then gens[2] = building end
else
  if redis.call('get', KEYS[2]) ~= mode then return redis.error_reply('REBUILD_GONE the rebuild ' .. mode .. ' is no longer in progress') end
  gens[1] = mode
end
local applied = 0
for i, gen in ipairs(gens) do
  local done = applyTo(base .. gen .. ':')
  if i == 1 then applied = done end
end
return applied`;

/** KEYS[1] gen, KEYS[2] next; ARGV base, responseId, revision. Drops open facts no newer than the revision. */
const DROP_OPEN = `
local gens = {redis.call('get', KEYS[1]) or '0'}
local building = redis.call('get', KEYS[2])
if building then gens[2] = building end
for _, gen in ipairs(gens) do
  local key = ARGV[1] .. gen .. ':open'
  local v = redis.call('hget', key, ARGV[2])
  if v and tonumber(string.match(v, '^(%d+)')) <= tonumber(ARGV[3]) then redis.call('hdel', key, ARGV[2]) end
end
return 0`;

/** KEYS[1] gen, KEYS[2] next; ARGV[1] the rebuild's token. Promotes it; returns the old generation. */
const SWAP = `
if redis.call('get', KEYS[2]) ~= ARGV[1] then return redis.error_reply('REBUILD_GONE the rebuild ' .. ARGV[1] .. ' is no longer in progress') end
local old = redis.call('get', KEYS[1]) or '0'
redis.call('set', KEYS[1], ARGV[1])
redis.call('del', KEYS[2])
return old`;

type WithScripts = Redis & {
  analyticsApply(...args: string[]): Promise<number>;
  analyticsSwap(...args: string[]): Promise<string>;
  analyticsDropOpen(...args: string[]): Promise<number>;
};

/**
 * The analytics rollups on Redis: counters per flow × day/month × cell, kept exact under
 * concurrency by one Lua script per change (see APPLY), read by key so a summary costs a few
 * reads whatever the number of sessions.
 *
 * @example
 * const rollups = createRedisRollups(redis, keys);
 * await rollups.apply({ flowId, responseId: session.id, part: 's', revision, contribution });
 */
export function createRedisRollups(redis: Redis, keys: RedisKeys): RollupStore {
  const r = redis as WithScripts;
  if (!('analyticsApply' in r)) {
    redis.defineCommand('analyticsApply', { numberOfKeys: 2, lua: APPLY });
    redis.defineCommand('analyticsSwap', { numberOfKeys: 2, lua: SWAP });
    redis.defineCommand('analyticsDropOpen', { numberOfKeys: 2, lua: DROP_OPEN });
  }
  const base = (flowId: string) => keys.analytics(flowId);
  const live = async (flowId: string) => `${base(flowId)}${(await redis.get(`${base(flowId)}gen`)) ?? '0'}:`;

  return {
    async apply(change, target: RollupTarget = { kind: 'live' }) {
      const c: Contribution = change.contribution;
      const wire = {
        r: c.lines.map((l) => [l.day, ...l.fields]),
        q: c.quotes.map((q) => [String(q.score), q.month, q.member, q.text, ...q.lists]),
      };
      const b = base(change.flowId);
      const applied = await r.analyticsApply(
        `${b}gen`,
        `${b}next`,
        b,
        change.responseId,
        change.part,
        String(change.revision),
        c.cell?.id ?? '',
        c.cell ? JSON.stringify(c.cell.dims) : '',
        JSON.stringify(wire),
        String(QUOTE_CAP),
        target.kind === 'live' ? 'live' : target.token,
        c.open ?? '',
      );
      return Number(applied) > 0;
    },

    async dropOpen(flowId, responseId, revision) {
      const b = base(flowId);
      await r.analyticsDropOpen(`${b}gen`, `${b}next`, b, responseId, String(revision));
    },

    async *openResponses(flowId) {
      const stream = redis.hscanStream(`${await live(flowId)}open`, { count: 200 });
      for await (const flat of stream as AsyncIterable<string[]>) {
        for (let i = 1; i < flat.length; i += 2) yield flat[i]!.slice(flat[i]!.indexOf('\n') + 1);
      }
    },

    async months(flowId) {
      return (await redis.smembers(`${await live(flowId)}months`)).sort();
    },

    async cells(flowId) {
      const raw = await redis.hgetall(`${await live(flowId)}celldims`);
      return new Map(Object.entries(raw).map(([cell, json]) => [cell, JSON.parse(json) as CellDims]));
    },

    async read(flowId, periods: readonly Period[], cells) {
      const g = await live(flowId);
      const key = (p: Period, cell: string) => `${g}${p.kind === 'day' ? 'd' : 'm'}:${p.key}:${cell}`;
      const targets: string[][] = [];
      if (cells === null) {
        for (const p of periods) targets.push([key(p, '*')]);
      } else {
        const wanted = new Set(cells);
        const present = await exec(redis.pipeline(periods.map((p) => ['smembers', `${g}cells:${p.kind === 'day' ? 'd' : 'm'}:${p.key}`])));
        periods.forEach((p, i) => targets.push(((present[i] as string[]) ?? []).filter((c) => wanted.has(c)).map((c) => key(p, c))));
      }
      const flat = targets.flat();
      const hashes = flat.length ? await exec(redis.pipeline(flat.map((k) => ['hgetall', k]))) : [];
      let at = 0;
      return targets.map((list) => {
        const sum = new Map<string, number>();
        for (let i = 0; i < list.length; i++) {
          for (const [f, v] of Object.entries((hashes[at++] as Record<string, string>) ?? {})) sum.set(f, (sum.get(f) ?? 0) + Number(v));
        }
        return sum;
      });
    },

    async quotes(flowId, query) {
      const g = await live(flowId);
      const zsets = query.months.flatMap((m) => query.lists.map((list) => ({ key: `${g}q:${m}:${list}`, list })));
      if (!zsets.length) return [];
      const ranges = await exec(redis.pipeline(zsets.map((z) => ['zrevrangebyscore', z.key, String(query.toMs), String(query.fromMs), 'WITHSCORES', 'LIMIT', '0', String(query.limit)])));
      const found: Array<{ key: string; list: string; member: string; score: number }> = [];
      zsets.forEach((z, i) => {
        const flat = (ranges[i] as string[]) ?? [];
        for (let j = 0; j + 1 < flat.length; j += 2) found.push({ key: z.key, list: z.list, member: flat[j]!, score: Number(flat[j + 1]) });
      });
      found.sort((a, b) => b.score - a.score || a.member.localeCompare(b.member));
      const top = found.slice(0, query.limit);
      const texts = top.length ? await exec(redis.pipeline(top.map((q) => ['hget', `${q.key}:t`, q.member]))) : [];
      return top.map((q, i): StoredQuote => ({ member: q.member, score: q.score, list: q.list, text: (texts[i] as string | null) ?? '' }));
    },

    async responseCells(flowId, responseIds) {
      if (!responseIds.length) return new Map();
      const g = await live(flowId);
      const ids = [...new Set(responseIds)];
      const states = await redis.hmget(`${g}resp`, ...ids);
      const out = new Map<string, string>();
      ids.forEach((id, i) => {
        const raw = states[i];
        // The state's first line is `c=<cell>` (see APPLY).
        if (raw?.startsWith('c=')) out.set(id, raw.slice(2, raw.includes('\n') ? raw.indexOf('\n') : undefined));
      });
      return out;
    },

    ...rebuildGenerations(redis, keys),
  };
}

/** Runs a pipeline; a failed command fails the whole read. */
async function exec(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/**
 * Rebuilds write a new generation of a flow's rollups beside the live one; readers switch when it
 * is complete (an atomic swap), and the old generation is dropped.
 */
function rebuildGenerations(redis: Redis, keys: RedisKeys): Pick<RollupStore, 'beginRebuild' | 'abortRebuild' | 'finishRebuild'> {
  const r = redis as WithScripts;
  const base = (flowId: string) => keys.analytics(flowId);

  async function dropGeneration(flowId: string, gen: string): Promise<void> {
    // Flow ids are [a-z0-9-], so the pattern holds no glob characters but our own `*`.
    for await (const batch of scanKeys(redis, `${base(flowId)}${gen}:*`)) await redis.unlink(...batch);
  }

  return {
    async beginRebuild(flowId, options: { force?: boolean } = {}) {
      const b = base(flowId);
      const token = `r${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
      if (options.force) {
        const abandoned = await redis.get(`${b}next`);
        if (abandoned) await dropGeneration(flowId, abandoned);
        await redis.set(`${b}next`, token);
      } else if ((await redis.set(`${b}next`, token, 'NX')) === null) {
        throw new ConflictError('REBUILD_RUNNING', `A rebuild of ${flowId} is already in progress (or was interrupted); run it again with --force`);
      }
      return token;
    },

    async abortRebuild(flowId, token) {
      const b = base(flowId);
      if ((await redis.get(`${b}next`)) === token) await redis.del(`${b}next`);
      await dropGeneration(flowId, token);
    },

    async finishRebuild(flowId, token) {
      const b = base(flowId);
      const old = await r.analyticsSwap(`${b}gen`, `${b}next`, token);
      await dropGeneration(flowId, old);
    },
  };
}
