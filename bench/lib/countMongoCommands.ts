// Preloaded into service processes by BENCH_MONGO_STATS=1: counts the MongoDB commands the
// service sends, by command and collection. SIGUSR2 writes the counts so far to
// .data/mongo-stats-<pid>.json and starts counting again.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import type * as Driver from 'mongodb';

const require = createRequire(import.meta.url);
const { MongoClient } = require('mongodb') as typeof Driver;
let counts: Record<string, number> = {};
const connect = MongoClient.prototype.connect;
MongoClient.prototype.connect = function (this: InstanceType<typeof MongoClient>) {
  (this as unknown as { monitorCommands: boolean }).monitorCommands = true;
  this.on('commandStarted', (event) => {
    const collection = (event.command as Record<string, unknown>)[event.commandName];
    const key = `${event.commandName} ${typeof collection === 'string' ? collection : ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  });
  return connect.call(this);
} as typeof connect;
process.on('SIGUSR2', () => {
  writeFileSync(`.data/mongo-stats-${process.pid}.json`, JSON.stringify(counts));
  counts = {};
});
