import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '../core/logger.ts';
import { withTimeout } from '../core/withTimeout.ts';

/** What a job handler learns about the job besides its data. */
export interface JobInfo {
  id: string;
  /** 1 on the first run, 2 on the first retry… */
  attempt: number;
  /** When the job was added (ms since epoch, the producer's clock). */
  enqueuedAt: number;
}

/** Runs one job; throwing makes BullMQ retry it with backoff until `attempts` run out. */
export type JobHandler<T> = (data: T, info: JobInfo) => Promise<void>;

export interface JobQueueOptions {
  /** Queue name; no ':' (BullMQ uses it as a key separator). */
  name: string;
  redisUrl: string;
  /**
   * Opens the Redis client the queue (`producer`) or its worker uses, instead of one from the
   * URL: a Redis Cluster's (see QueueConnection). Closed by `stop()`.
   */
  openClient?: QueueConnection['openClient'];
  /** BullMQ key prefix, e.g. `redisKeys(prefix).bullPrefix`. */
  prefix: string;
  logger: Logger;
  /** Jobs run in parallel per process (default 4). */
  concurrency?: number;
  /** Runs per job including the first (default 8). */
  attempts?: number;
  /** First retry delay; doubles each time (default 500 ms). */
  backoffMs?: number;
  /** Retry delays stop growing here (default: they keep doubling). */
  maxBackoffMs?: number;
  /** Completed jobs are kept this long so a re-added job id is ignored (default 600 s). */
  keepCompletedSeconds?: number;
  /** An `add` that Redis does not confirm within this time fails (default 3000 ms). */
  addTimeoutMs?: number;
  /**
   * Retries a failed job only when this says the failure may pass (e.g. `isRetryableError`);
   * anything else fails the job at once. Default: every failure is retried.
   */
  retryOnlyIf?: (error: unknown) => boolean;
}

/** Where a feature's queues keep their jobs: our Redis, and the key prefix they share. */
export interface QueueConnection {
  redisUrl: string;
  prefix: string;
  /** Set on a Redis Cluster, which BullMQ cannot reach from a URL: opens a client, and closes it. */
  openClient?: (role: 'producer' | 'worker') => { client: object; close: () => Promise<void> };
}

/** A durable queue with one worker per process. */
export interface JobQueue<T> {
  /**
   * Adds a job, to run after `delayMs` if given. A `jobId` that already exists (waiting,
   * running or recently done) is ignored.
   */
  add(data: T, options?: { jobId?: string; delayMs?: number }): Promise<void>;
  /** Starts the worker in this process. */
  start(handler: JobHandler<T>): Promise<void>;
  /** Lets running jobs finish, then closes the worker and the queue. */
  stop(): Promise<void>;
  /** Resolves once no job is waiting, delayed or running (polls; for tests and shutdown). */
  whenIdle(options?: { timeoutMs?: number; pollMs?: number }): Promise<void>;
}

/**
 * A BullMQ queue plus worker on our Redis. Connections come from the URL (BullMQ opens its own
 * ioredis clients, with `maxRetriesPerRequest: null` for the blocking worker connection).
 *
 * @example
 * const queue = createJobQueue<{ id: string }>({ name: 'wecom-callbacks', redisUrl, prefix: keys.bullPrefix, logger });
 * await queue.start(async (data) => handle(data));
 * await queue.add({ id: 'x' }, { jobId: 'x' });
 */
export function createJobQueue<T>(options: JobQueueOptions): JobQueue<T> {
  const log = options.logger.child({ module: 'jobs', queue: options.name });
  const addTimeoutMs = options.addTimeoutMs ?? 3_000;
  const producer = options.openClient?.('producer');
  const queue = new Queue(options.name, {
    connection: (producer?.client as ConnectionOptions | undefined) ?? { url: options.redisUrl, connectionName: `${options.name}-producer` },
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 8,
      backoff: options.maxBackoffMs ? { type: 'capped' } : { type: 'exponential', delay: options.backoffMs ?? 500 },
      removeOnComplete: { age: options.keepCompletedSeconds ?? 600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', (error: Error) => log.warn({ err: error.message }, 'queue connection error'));
  let worker: Worker | undefined;
  let workerClient: ReturnType<NonNullable<JobQueueOptions['openClient']>> | undefined;

  return {
    async add(data, addOptions = {}) {
      const jobOptions = {
        ...(addOptions.jobId ? { jobId: addOptions.jobId } : {}),
        ...(addOptions.delayMs ? { delay: Math.max(0, Math.round(addOptions.delayMs)) } : {}),
      };
      await withTimeout(queue.add(options.name, data, jobOptions), addTimeoutMs, `queue ${options.name}: add not confirmed within ${addTimeoutMs} ms`);
    },

    async start(handler) {
      if (worker) return;
      workerClient = options.openClient?.('worker');
      worker = new Worker(
        options.name,
        async (job: Job) => {
          try {
            await handler(job.data as T, { id: job.id ?? '', attempt: job.attemptsMade + 1, enqueuedAt: job.timestamp });
          } catch (error) {
            if (options.retryOnlyIf && !options.retryOnlyIf(error)) throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
            throw error;
          }
        },
        {
          connection: (workerClient?.client as ConnectionOptions | undefined) ?? { url: options.redisUrl, maxRetriesPerRequest: null, connectionName: `${options.name}-worker` },
          prefix: options.prefix,
          concurrency: options.concurrency ?? 4,
          settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade, options.backoffMs ?? 500, options.maxBackoffMs ?? Infinity) },
        },
      );
      worker.on('error', (error: Error) => log.warn({ err: error.message }, 'worker error'));
      worker.on('failed', (job: Job | undefined, error: Error) => {
        const attempts = job?.opts.attempts ?? 1;
        const final = (job?.attemptsMade ?? 0) >= attempts;
        log[final ? 'error' : 'warn']({ jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, final ? 'job failed for good' : 'job failed; will retry');
      });
      await worker.waitUntilReady();
    },

    async stop() {
      await worker?.close();
      worker = undefined;
      await queue.close();
      // BullMQ leaves clients it was given open.
      await Promise.all([workerClient?.close(), producer?.close()]);
      workerClient = undefined;
    },

    async whenIdle(idleOptions = {}) {
      const deadline = Date.now() + (idleOptions.timeoutMs ?? 30_000);
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        const pending = Object.values(counts).reduce((a, b) => a + b, 0);
        if (pending === 0) return;
        if (Date.now() > deadline) throw new Error(`queue ${options.name} still has ${pending} jobs pending`);
        await new Promise((r) => setTimeout(r, idleOptions.pollMs ?? 50));
      }
    },
  };
}

/** base · 2^(attempt−1), at most `max`, with ±20 % jitter so retries after an outage spread out. */
export function cappedBackoff(attemptsMade: number, base: number, max: number): number {
  const delay = Math.min(max, base * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}
