// Preloaded into a service process by tests (node --import ./test/support/heapHog.mjs): on SIGUSR2
// it allocates until V8 gives up with "JavaScript heap out of memory", so a test can watch the
// process die the way a real leak kills it (abort, no exit hooks) without a bug to trigger.
import process from 'node:process';

process.on('SIGUSR2', () => {
  const hog = [];
  for (;;) hog.push(new Array(1_000_000).fill(hog.length));
});
