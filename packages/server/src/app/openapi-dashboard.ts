type Operation = Record<string, unknown>

const json = (schema: Record<string, unknown>) => ({ 'application/json': { schema } })
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      { description: `error ${s}`, content: json({ $ref: '#/components/schemas/Error' }) },
    ]),
  )
const name = (names: string[]) => ({
  name: 'name',
  in: 'path',
  required: true,
  schema: { type: 'string', enum: names },
})
const lastEventId = [
  { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^\\d+$' } },
  { name: 'last_event_id', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d+$' } },
]
const sse = (description: string) => ({
  description,
  content: { 'text/event-stream': { schema: { type: 'string' } } },
})

const staleLink = {
  type: 'object',
  properties: {
    node: { type: 'string' },
    upstream: { type: 'string' },
    trainedWith: { type: 'string' },
    current: { type: 'string' },
  },
}

/** The retrain plan's schema (also in the `details.plan` of a 419). */
export const PLAN_SCHEMA = {
  type: 'object',
  required: ['pipeline', 'loadable', 'stale', 'retrain', 'steps'],
  properties: {
    pipeline: { type: 'string' },
    loadable: { type: 'boolean' },
    stale: { type: 'array', items: staleLink },
    missing: {
      type: 'array',
      items: {
        type: 'object',
        properties: { node: { type: 'string' }, trainers: { type: 'array', items: { type: 'string' } } },
      },
    },
    retrain: {
      type: 'array',
      items: { type: 'string' },
      description: 'the training pipelines to run and save, in order',
    },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          pipeline: { type: 'string' },
          kind: { type: 'string', enum: ['train', 'data'] },
          trains: { type: 'array', items: { type: 'string' } },
          writes: { type: 'array', items: { type: 'string' } },
          reason: { type: 'string' },
          needsInput: { type: 'boolean' },
        },
      },
    },
    unplannable: {
      type: 'array',
      items: { type: 'object', properties: { node: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
}

/**
 * The OpenAPI paths of the dashboard's routes: the planner, the plan runs, the graph, the registry
 * of saved states and the job event streams.
 *
 * @example
 * ```ts
 * Object.assign(paths, dashboardPaths(['pred_iris']))
 * ```
 */
export function dashboardPaths(names: string[]): Record<string, Operation> {
  const op = (id: string, summary: string, tag: string, rest: Record<string, unknown>) => ({
    operationId: id,
    summary,
    tags: [tag],
    ...rest,
  })
  return {
    '/pipelines/{name}/plan': {
      get: op(
        'pipeline_plan',
        'What it takes to make the pipeline loadable: stale links, training pipelines to run',
        'planner',
        {
          parameters: [name(names)],
          responses: {
            200: { description: 'the plan', content: json(PLAN_SCHEMA) },
            ...errors(401, 404, 500),
          },
        },
      ),
    },
    '/pipelines/{name}/plan/run': {
      post: op(
        'run_pipeline_plan',
        'Run the plan as worker jobs (each training saves), then load the pipeline',
        'planner',
        {
          parameters: [name(names)],
          requestBody: {
            required: false,
            content: json({
              type: ['object', 'null'],
              properties: {
                inputs: { type: 'object', description: 'input of each step that reads one, by pipeline' },
              },
            }),
          },
          responses: {
            202: {
              description: 'the run, started (or the one already running)',
              content: json({ type: 'object' }),
            },
            ...errors(400, 401, 404, 409, 413, 415, 500, 503),
          },
        },
      ),
      get: op('pipeline_plan_run', 'The latest run of the plan on this server', 'planner', {
        parameters: [name(names)],
        responses: {
          200: { description: 'the run', content: json({ type: 'object' }) },
          ...errors(401, 404),
        },
      }),
    },
    '/pipelines/{name}/graph': {
      get: op(
        'pipeline_graph',
        "Each node's and link's standing by the version rule; ?format= draws it",
        'planner',
        {
          parameters: [
            name(names),
            {
              name: 'format',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['json', 'svg', 'dot', 'mermaid'] },
            },
          ],
          responses: {
            200: {
              description: 'the graph',
              content: {
                ...json({ type: 'object' }),
                'image/svg+xml': { schema: { type: 'string' } },
                'text/vnd.graphviz': { schema: { type: 'string' } },
                'text/plain': { schema: { type: 'string' } },
              },
            },
            ...errors(400, 401, 404),
          },
        },
      ),
    },
    '/pipelines/{name}/nodes/{node}/states': {
      get: op(
        'node_states',
        "A node's saved states in save order: version, when, by whom, lineage",
        'registry',
        {
          parameters: [name(names), { name: 'node', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'the states', content: json({ type: 'object' }) },
            ...errors(401, 404),
          },
        },
      ),
    },
    '/jobs/{id}/events': {
      get: op(
        'job_events',
        'SSE: queued, running (with progress), done, failed; ends after done or failed',
        'jobs',
        {
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            ...lastEventId,
          ],
          responses: {
            200: sse(
              'the event stream; each event data is the job as /jobs/fetch/ answers it, plus its pipeline',
            ),
            204: { description: 'the job ended and nothing is left to replay after Last-Event-ID' },
            ...errors(400, 401, 404, 503),
          },
        },
      ),
    },
    '/events': {
      get: op('events', 'SSE: every job of the app, and plan runs (event plan)', 'jobs', {
        parameters: lastEventId,
        responses: { 200: sse('the event stream'), ...errors(400, 401) },
      }),
    },
  }
}
