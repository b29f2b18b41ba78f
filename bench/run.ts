// Benchmarks (not tests); each prints numbers.
//   npm run bench -- [customers=50]                       conversations through the simulator (conversations.ts)
//   npm run -s bench -- analytics [--stored 100000] [--json]   analytics at volume (analytics.ts)
if (process.argv[2] === 'analytics') await import('./analytics.ts');
else await import('./conversations.ts');
