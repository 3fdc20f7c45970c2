// Import rules checked by `pnpm lint` (dependency-cruiser): no import cycles (type-only imports
// are skipped: they vanish at run time), no package reaching into another package's src/, and the
// server never importing BullMQ (it talks to Redis only through @chariots/workers-rq-like pools).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle (type-only imports do not count). Break it by moving the shared piece into a file of its own.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-cross-package-src',
      severity: 'error',
      comment: 'A package imports another only through its published name, never its src/.',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/([^/]+)/src/', pathNot: '^packages/$1/' },
    },
    {
      name: 'server-without-bullmq',
      severity: 'error',
      comment: 'The server never imports bullmq or ioredis: pools do (@chariots/workers-rq-like).',
      from: { path: '^packages/server/src/' },
      to: { path: '(^|/)(bullmq|ioredis)($|/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|[.]chariots-cache)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.base.json') },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
}
