import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/core', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "BaseOp",
        "BaseRunner",
        "BaseSaver",
        "BaseSerializer",
        "BinarySerializer",
        "CSVSerializer",
        "ChariotsError",
        "ConcurrentRunner",
        "DataLoadingNode",
        "DataSavingNode",
        "EMPTY_HASH",
        "END_OF_PIPE",
        "ErrorCode",
        "FileSaver",
        "JSONSerializer",
        "LoadableOp",
        "MLMode",
        "MLOp",
        "Node",
        "OpCallback",
        "OpStore",
        "Pipeline",
        "PipelineCallback",
        "PipelineNotLoadedError",
        "ReservedNodes",
        "SequentialRunner",
        "Version",
        "VersionError",
        "VersionType",
        "VersionedField",
        "VersionedFieldDict",
        "canonicalJson",
        "isLoadableOp",
        "isPipeline",
        "isSaverAwareOp",
        "reportProgress",
        "safePath",
        "sha1Hex",
        "versionOf",
        "versionPlainStatic",
        "versioned",
        "withProgressReporter",
      ]
    `)
  })
})
