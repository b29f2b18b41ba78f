// Benchmarks (not tests). `npm run -s bench -- [--customers N] [--stored N] [--workers N] [--reuse] [--json]`
// runs customers through the default flow (see bench/conversations.ts); a bare number is the
// customer count (`npm run bench -- 50`).
await import('./conversations.ts');
