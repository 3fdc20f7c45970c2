// Errors
export { ChariotsError, ErrorCode, VersionError } from './errors/chariots-error.js'
export type { ChariotsErrorOptions, ErrorCodeName } from './errors/chariots-error.js'

// Versioning
export { canonicalJson, sha1Hex } from './versioning/canonical-json.js'
export { EMPTY_HASH, Version } from './versioning/version.js'
export type { VersionInit } from './versioning/version.js'
export { VersionType } from './versioning/version-type.js'
export { VersionedField, versioned } from './versioning/versioned-field.js'
export { VersionedFieldDict } from './versioning/versioned-field-dict.js'
export { versionOf } from './versioning/version-of.js'

// Ops
export { BaseOp } from './ops/base-op.js'
export type { BaseOpOptions } from './ops/base-op.js'
export { isLoadableOp, LoadableOp } from './ops/loadable-op.js'
export { MLMode } from './ops/ml-mode.js'
export { MLOp } from './ops/ml-op.js'
export { reportProgress, withProgressReporter } from './ops/progress.js'
export type { Progress, ProgressReporter } from './ops/progress.js'

// Callbacks
export { OpCallback } from './callbacks/op-callback.js'
export { PipelineCallback } from './callbacks/pipeline-callback.js'

// Pipelines
export { isPipeline, Node } from './pipeline/node.js'
export type { NestedRunner, NodeOptions } from './pipeline/node.js'
export { Pipeline } from './pipeline/pipeline.js'
export type { PipelineOptions } from './pipeline/pipeline.js'
export { ReservedNodes } from './pipeline/reserved-nodes.js'
export type { ReservedNode } from './pipeline/reserved-nodes.js'

export { DataLoadingNode, DataSavingNode, isSaverAwareOp } from './pipeline/data-nodes.js'
export type { DataLoadingNodeOptions, DataSavingNodeOptions, SaverAwareOp } from './pipeline/data-nodes.js'

// Persistence
export { BaseSaver } from './savers/base-saver.js'
export { FileSaver } from './savers/file-saver.js'
export type { FileSaverOptions } from './savers/file-saver.js'
export { safePath } from './savers/safe-path.js'
export { END_OF_PIPE, OpStore } from './store/op-store.js'
export type { StoreMetadata } from './store/op-store.js'

// Serializers
export { BaseSerializer } from './serializers/base-serializer.js'
export { BinarySerializer } from './serializers/binary-serializer.js'
export { CSVSerializer } from './serializers/csv-serializer.js'
export type { CSVRecord } from './serializers/csv-serializer.js'
export { JSONSerializer } from './serializers/json-serializer.js'

// Runners
export { BaseRunner } from './runners/base-runner.js'
export type { RunOptions } from './runners/base-runner.js'
export { ConcurrentRunner } from './runners/concurrent-runner.js'
export { SequentialRunner } from './runners/sequential-runner.js'
