// Errors

export type { ChariotsErrorOptions, ErrorCodeName } from './errors/chariots-error.js'
export { ChariotsError, ErrorCode, VersionError } from './errors/chariots-error.js'
export { PipelineNotLoadedError } from './errors/pipeline-not-loaded-error.js'

// Callbacks

export { OpCallback } from './callbacks/op-callback.js'
export { PipelineCallback } from './callbacks/pipeline-callback.js'

// Ops

export type { BaseOpOptions } from './ops/base-op.js'
export { BaseOp } from './ops/base-op.js'
export type { OpState } from './ops/loadable-op.js'
export { LoadableOp } from './ops/loadable-op.js'
export { MLMode } from './ops/ml-mode.js'
export type { DecodedModel } from './ops/ml-op.js'
export { MLOp } from './ops/ml-op.js'
export type { Progress, ProgressReporter } from './ops/progress.js'
export { reportProgress, withProgressReporter } from './ops/progress.js'

// Pipelines

export type { DataLoadingNodeOptions, DataSavingNodeOptions, SaverAwareOp } from './pipeline/data-nodes.js'
export { DataLoadingNode, DataSavingNode, isSaverAwareOp } from './pipeline/data-nodes.js'
export type { NestedRunner, NodeOptions } from './pipeline/node.js'
export { isPipeline, Node } from './pipeline/node.js'
export type { BatchOptions, PipelineOptions } from './pipeline/pipeline.js'
export { Pipeline } from './pipeline/pipeline.js'
export type { ReservedNode } from './pipeline/reserved-nodes.js'
export { ReservedNodes } from './pipeline/reserved-nodes.js'

// Runners

export type { RunOptions } from './runners/base-runner.js'
export { BaseRunner } from './runners/base-runner.js'
export { ConcurrentRunner } from './runners/concurrent-runner.js'
export { SequentialRunner } from './runners/sequential-runner.js'

// The lifecycle: one host for load, run, save and jobs; the version rule

export type { Announcement, AnnounceOptions, Announcer, ReplicaOutcome } from './lifecycle/announcer.js'
export type { PlanRunResult, RunPlanOptions } from './lifecycle/host-plan.js'
export { checkRunnable } from './lifecycle/host-plan.js'
export type { LoadOutcome, LoadStatesOptions } from './lifecycle/load-states.js'
export type {
  AnalyzeOptions,
  LinkAnalysis,
  NodeAnalysis,
  NodeKind,
  NodeStatus,
  PipelineAnalysis,
  StaleLink,
} from './lifecycle/pipeline-analysis.js'
export { analyzePipeline, NEEDS_RETRAINING } from './lifecycle/pipeline-analysis.js'
export { PipelineGate } from './lifecycle/pipeline-gate.js'
export type {
  HostJobContext,
  HostLogger,
  LoadRefusal,
  LoadResult,
  PipelineHostOptions,
  PipelineStatus,
  RunResult,
  SaveResult,
} from './lifecycle/pipeline-host.js'
export { PipelineHost, versionsOf } from './lifecycle/pipeline-host.js'
export { PromiseMutex } from './lifecycle/promise-mutex.js'
export type { ReplicaSyncOptions, SyncedHost } from './lifecycle/replica-sync.js'
export { ReplicaSync } from './lifecycle/replica-sync.js'
export type { PlanOptions, PlanStep, RetrainPlan } from './lifecycle/retrain-plan.js'
export { planRetraining, trainersOf } from './lifecycle/retrain-plan.js'
export type { SavedStates, SaveStatesOptions } from './lifecycle/save-states.js'
export type { MissingState, Resolution, ResolveOptions } from './lifecycle/version-rule.js'
export { lineageMismatch, resolvePipeline, stateOfCode } from './lifecycle/version-rule.js'

// Stores and savers

export { BaseSaver } from './savers/base-saver.js'
export type { FileSaverOptions } from './savers/file-saver.js'
export { FileSaver } from './savers/file-saver.js'
export { safePath } from './savers/safe-path.js'
export { LazyValue } from './store/lazy-value.js'
export type { OpStoreOptions } from './store/op-store.js'
export { OpStore } from './store/op-store.js'
export { readStateBytes } from './store/read-state-bytes.js'
export { applyRetention, DEFAULT_KEEP, pruneReport, retentionOption } from './store/retention.js'
export type { NewState, PruneOptions, PruneReport, StateRecord, StateStore } from './store/state-store.js'

// Serializers

export { BaseSerializer } from './serializers/base-serializer.js'
export { BinarySerializer } from './serializers/binary-serializer.js'
export type { CSVRecord } from './serializers/csv-serializer.js'
export { CSVSerializer } from './serializers/csv-serializer.js'
export { JSONSerializer } from './serializers/json-serializer.js'

// Versioning

export { canonicalJson, sha1Hex } from './versioning/canonical-json.js'
export type { VersionInit } from './versioning/version.js'
export { EMPTY_HASH, Version } from './versioning/version.js'
export type { VersionedClass } from './versioning/version-of.js'
export { versionOf } from './versioning/version-of.js'
export { versionPlainStatic } from './versioning/version-plain-static.js'
export { VersionType } from './versioning/version-type.js'
export { VersionedField, versioned } from './versioning/versioned-field.js'
export { VersionedFieldDict } from './versioning/versioned-field-dict.js'
