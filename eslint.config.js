// Lint keeps each library inside its own folder (see README "Architecture").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Each library group and the only places allowed to import it. */
const confined = [
  { libs: ['mongoose', 'mongodb', 'ioredis'], home: ['src/store/'], why: 'store/ owns the database clients' },
  { libs: ['bullmq'], home: ['src/store/', 'src/jobs/'], why: 'durable queues live in jobs/ and store/' },
  // Feature folders declare routes as data (http/route.ts); only http/ turns them into Koa.
  { libs: ['koa', '@koa/*', 'raw-body'], home: ['src/http/'], why: 'koa belongs to http/; declare routes with defineRoute' },
  { libs: ['zod-openapi'], home: ['src/http/'], why: 'http/ builds the API document from the route definitions' },
  { libs: ['xstate', '@xstate/*'], home: ['src/engine/'], why: 'xstate belongs to engine/' },
  { libs: ['openai'], home: ['src/nlu/llm/'], why: 'openai belongs to nlu/llm/' },
];

/** Zones with a distinct allow-list, by folder. */
const zones = [
  { files: ['src/store/**/*.ts'], at: 'src/store/x.ts' },
  { files: ['src/jobs/**/*.ts'], at: 'src/jobs/x.ts' },
  { files: ['src/http/**/*.ts'], at: 'src/http/x.ts' },
  { files: ['src/engine/**/*.ts'], at: 'src/engine/x.ts' },
  { files: ['src/nlu/llm/**/*.ts'], at: 'src/nlu/llm/x.ts' },
];

function restrictionFor(path) {
  const patterns = confined
    .filter((c) => !c.home.some((h) => (h.endsWith('/') ? path.startsWith(h) : path.endsWith(h))))
    .map((c) => ({ group: c.libs, message: `Only ${c.home.join(', ')} may import this: ${c.why}.` }));
  return { 'no-restricted-imports': ['error', { patterns }] };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'tools/**', '**/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  // Later blocks win, so the general rule comes first and each zone overrides it.
  { files: ['src/**/*.ts'], rules: restrictionFor('src/other/x.ts') },
  ...zones.map((z) => ({ files: z.files, rules: restrictionFor(z.at) })),
  { files: ['src/main.ts'], rules: restrictionFor('src/main.ts') },
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'src/**/cli.ts', 'src/main.ts'], rules: { 'no-console': 'off' } },
);
