import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../../src/store/embedded/childProcess.ts';
import { waitFor } from './processes.ts';

const run = promisify(execFile);

/** One redis-server of a test cluster. */
export interface ClusterNode {
  port: number;
  child: ChildProcess;
}

/** A Redis Cluster on loopback: three masters, each with one replica. */
export interface TestRedisCluster {
  /** `127.0.0.1:port,…` for REDIS_CLUSTER_NODES. */
  seedList: string;
  nodes: ClusterNode[];
  /** The node serving the slot of `key` as master now (asks a live node). */
  masterOf(key: string): Promise<ClusterNode>;
  /** `CLUSTER NODES`-style roles by port, from a live node. */
  roles(): Promise<Map<number, 'master' | 'replica' | 'failed'>>;
  /** Kills one node with SIGKILL (no shutdown, no save): a crashed master. */
  kill(node: ClusterNode): Promise<void>;
  /** Resolves once every slot is served by a live master again. */
  whenHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts six `redis-server --cluster-enabled yes` under a temp dir (no persistence; a node that
 * does not answer for 1 s is failed over) and joins them with `redis-cli --cluster create
 * --cluster-replicas 1`.
 *
 * @example
 * const cluster = await startRedisCluster();
 * env.REDIS_CLUSTER_NODES = cluster.seedList;
 */
export async function startRedisCluster(options: { nodeTimeoutMs?: number } = {}): Promise<TestRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'hf-redis-cluster-'));
  const nodes: ClusterNode[] = [];
  const stop = async () => {
    for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => (n.child.exitCode === null && n.child.signalCode === null ? new Promise((r) => n.child.once('exit', r)) : undefined)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 6; i++) nodes.push(await startNode(dir, i, options.nodeTimeoutMs ?? 1_000));
    const seeds = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...seeds, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 60_000 });
    const cluster = testCluster(nodes, seeds.join(','), stop);
    await cluster.whenHealthy(60_000);
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startNode(dir: string, index: number, nodeTimeoutMs: number): Promise<ClusterNode> {
  const port = await findFreePort();
  const busPort = await findFreePort();
  const nodeDir = join(dir, `node-${index}`);
  await mkdir(nodeDir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--dir', nodeDir,
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs),
      '--appendonly', 'no', '--save', '', '--daemonize', 'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.resume();
  child.stderr?.resume();
  await waitFor(async () => (await cli(port, 'PING').catch(() => '')) === 'PONG', `redis-server on ${port}`, 15_000);
  return { port, child };
}

function testCluster(nodes: ClusterNode[], seedList: string, stop: () => Promise<void>): TestRedisCluster {
  const alive = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  const ask = async (...args: string[]) => {
    for (const n of alive()) {
      const reply = await cli(n.port, ...args).catch(() => undefined);
      if (reply !== undefined) return reply;
    }
    throw new Error('no cluster node answers');
  };
  return {
    seedList,
    nodes,
    async masterOf(key) {
      const slot = Number(await ask('CLUSTER', 'KEYSLOT', key));
      for (const line of (await ask('CLUSTER', 'NODES')).split('\n')) {
        const [, address, flags, , , , , , ...ranges] = line.split(' ');
        if (!flags?.includes('master') || flags.includes('fail')) continue;
        const serves = ranges.some((r) => {
          const [from, to] = r.split('-').map(Number);
          return slot >= from! && slot <= (to ?? from!);
        });
        if (serves) return nodes.find((n) => address?.startsWith(`127.0.0.1:${n.port}@`))!;
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    async roles() {
      const roles = new Map<number, 'master' | 'replica' | 'failed'>();
      for (const line of (await ask('CLUSTER', 'NODES')).split('\n').filter(Boolean)) {
        const [, address, flags] = line.split(' ');
        const port = Number(/:(\d+)@/.exec(address ?? '')?.[1]);
        roles.set(port, flags!.includes('fail') ? 'failed' : flags!.includes('master') ? 'master' : 'replica');
      }
      return roles;
    },
    async kill(node) {
      node.child.kill('SIGKILL');
      if (node.child.exitCode === null && node.child.signalCode === null) await new Promise((r) => node.child.once('exit', r));
    },
    async whenHealthy(timeoutMs = 30_000) {
      await waitFor(
        async () => {
          const states = await Promise.all(alive().map((n) => cli(n.port, 'CLUSTER', 'INFO').catch(() => '')));
          return states.every((info) => /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info));
        },
        'a healthy Redis Cluster',
        timeoutMs,
      );
    },
    stop,
  };
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 5_000 });
  return stdout.trim();
}
