// Benchmarks (not tests); each prints numbers.
//   npm run -s bench -- [--customers N] [--stored N] [--workers N] [--reuse] [--json]
//       customers through the default flow (conversations.ts); a bare number is the customer count
//   npm run -s bench -- analytics [--stored 100000] [--json]   analytics at volume (analytics.ts)
//   npm run -s bench -- --import N [--gbk] [--again] [--json]  an N-row audience CSV into a campaign (audienceImport.ts)
//   npm run -s bench -- followup [--stored 20000] [--samples 200] [--json]   follow-up hook, tasks list, deliveries (followup.ts)
//   npm run -s bench -- nlu [FILE.jsonl …] [--today YYYY-MM-DD] [--json]   answer understanding with a perfect LLM stub (nluAccuracy.ts)
//   npm run -s bench -- nlu-speed [--rounds 5] [--json]   rule analyser: a 50,000-character reply, 1,000 typical replies (nluSpeed.ts)
//   npm run -s bench -- listening [--json]   bot messages per completed survey, talkative and terse customer, with and without fills (listening.ts)
//   npm run -s bench -- function-lengths [--over 80] [--json]   functions in src/ longer than N lines (functionLengths.ts)
if (process.argv[2] === 'analytics') await import('./analytics.ts');
else if (process.argv[2] === 'function-lengths') await import('./functionLengths.ts');
else if (process.argv[2] === 'listening') await import('./listening.ts');
else if (process.argv[2] === 'nlu-speed') await import('./nluSpeed.ts');
else if (process.argv[2] === 'followup') await import('./followup.ts');
else if (process.argv[2] === 'nlu') await import('./nluAccuracy.ts');
else if (process.argv.slice(2).some((arg) => arg === '--import' || arg.startsWith('--import='))) await import('./audienceImport.ts');
else await import('./conversations.ts');
