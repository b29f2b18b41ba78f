// Lint keeps each library inside its own folder, and each folder on its floor (see README "Architecture").
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
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

/**
 * The floors: which part of src/ may import which. A part may always import itself; anything not
 * listed is refused. Ground floor first; main.ts and src/cli/ (the composition roots) see all.
 */
const floors = {
  core: [],
  simulator: [],
  config: ['core'],
  engine: ['core'],
  jobs: ['core'],
  http: ['core'],
  sessionFacts: ['core', 'engine'],
  nlu: ['core', 'config'],
  conversation: ['core', 'engine'],
  channels: ['core', 'jobs', 'http'],
  analytics: ['core', 'engine', 'sessionFacts', 'http'],
  privacy: ['core', 'http'],
  campaigns: ['core', 'http'],
  followup: ['core', 'engine', 'sessionFacts', 'conversation', 'channels', 'http', 'jobs'],
  escalation: ['core', 'engine', 'conversation', 'analytics', 'http', 'jobs'],
  admin: ['core', 'engine', 'http'],
  // store implements the ports of core and of the features that keep their own (analytics, followup).
  store: ['core', 'sessionFacts', 'analytics', 'followup'],
};
const parts = Object.keys(floors);
const compositionRoots = ['cli', 'main'];

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
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'src/cli/**/*.ts', 'src/main.ts'], rules: { 'no-console': 'off' } },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        ...parts.filter((p) => p !== 'config').map((p) => ({ type: p, pattern: `src/${p}` })),
        { type: 'config', pattern: 'src/config.ts', mode: 'file' },
        { type: 'cli', pattern: 'src/cli' },
        { type: 'main', pattern: 'src/main.ts', mode: 'file' },
      ],
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      // Two parts are single files (config.ts, main.ts): 'file' mode still classifies them; its deprecation notice is noise here.
      'boundaries/legacy-warnings': false,
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: 'src/{{from.type}} may not import src/{{to.type}}: it is not on a floor below (see "floors" in eslint.config.js and README "Architecture").',
          policies: [
            ...parts.map((p) => ({ from: { element: { type: p } }, allow: { to: { element: { types: { anyOf: [p, ...floors[p]] } } } } })),
            ...compositionRoots.map((p) => ({ from: { element: { type: p } }, allow: { to: { element: { types: { anyOf: [...parts, 'cli'] } } } } })),
          ],
        },
      ],
    },
  },
);
