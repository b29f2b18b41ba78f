// Benchmarks (not tests). `npm run -s bench -- [--customers N] [--stored N] [--workers N] [--reuse] [--json]`
// runs customers through the default flow (see bench/conversations.ts); a bare number is the
// customer count (`npm run bench -- 50`). `npm run -s bench -- --import N [--gbk] [--again] [--json]`
// uploads an audience CSV of N rows to a campaign (see bench/audienceImport.ts).
if (process.argv.slice(2).some((arg) => arg === '--import' || arg.startsWith('--import='))) await import('./audienceImport.ts');
else await import('./conversations.ts');
