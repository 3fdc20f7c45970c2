// The shapes the dashboard reads from the API (see the server README).

export interface StaleLink {
  node: string
  upstream: string
  trainedWith: string
  current: string
}

export interface NodeJson {
  name: string
  op: string
  status: string
  parent: string | null
  inputs: string[]
  version: string
}

export interface GraphJson {
  pipeline: string
  loadable: boolean
  serving: boolean
  nodes: NodeJson[]
}

export interface PlanStep {
  pipeline: string
  kind: 'train' | 'data'
  trains: string[]
  reason: string
  needsInput: boolean
}

export interface Plan {
  pipeline: string
  loadable: boolean
  stale: StaleLink[]
  missing: { node: string; trainers: string[] }[]
  retrain: string[]
  steps: PlanStep[]
  unplannable: { node: string; reason: string }[]
}

export interface PlanRun {
  id: string
  pipeline: string
  status: 'running' | 'done' | 'failed'
  steps: { pipeline: string; jobId: string | null; jobStatus: string }[]
  error: { code: string; message: string } | null
}

export interface JobEventData {
  job_id: string
  pipeline: string | null
  job_status: string
  progress: unknown
  error: { code: string; message: string } | null
  pipeline_output: unknown
}

export interface StateJson {
  seq: number
  version: string
  savedAt: string
  savedBy: string | null
  savedByPipeline: string | null
  lineage: Record<string, string>
  fits: boolean
  currentCode: boolean
  mismatch: { upstream: string; trainedWith: string; current: string } | null
  serving: boolean
}

export interface StatesJson {
  pipeline: string
  node: string
  op: string
  status: string
  serving: number | null
  states: StateJson[]
}
