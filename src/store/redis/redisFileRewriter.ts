import type { Redis } from 'ioredis';
import type { StoreFileRewriter } from '../../core/privacy.ts';
import { allNodes } from './connectRedis.ts';

/**
 * Redis's side of erasure reaching the disk. The append-only file holds every write ever made,
 * erased values included, until it is rewritten; an RDB snapshot holds them until the next save.
 * `rewrite()` starts BGREWRITEAOF when AOF is on (a rewrite already running started before the
 * erasure, so that is an error and the caller tries later) and schedules a BGSAVE when RDB
 * snapshots are configured. Both run in Redis's background; nothing waits for them here.
 *
 * @example
 * await createRedisFileRewriter(redis).rewrite();
 */
export function createRedisFileRewriter(redis: Redis): StoreFileRewriter {
  return {
    // On a Cluster every node (replicas too) keeps its own files.
    async rewrite() {
      for (const node of allNodes(redis)) await rewriteNode(node);
    },
  };
}

async function rewriteNode(redis: Redis): Promise<void> {
  const persistence = await redis.info('persistence');
  if (/^aof_enabled:1\r?$/m.test(persistence)) {
    if (/^aof_rewrite_in_progress:1\r?$/m.test(persistence)) throw new Error('an AOF rewrite that started before the erasure is running');
    await redis.bgrewriteaof();
  }
  if (await snapshotsConfigured(redis)) await redis.call('BGSAVE', 'SCHEDULE');
}

/** `save` is set (e.g. "60 1"). A managed Redis may refuse CONFIG: then snapshots are its business. */
async function snapshotsConfigured(redis: Redis): Promise<boolean> {
  try {
    const [, save] = (await redis.config('GET', 'save')) as [string, string];
    return Boolean(save?.trim());
  } catch {
    return false;
  }
}
