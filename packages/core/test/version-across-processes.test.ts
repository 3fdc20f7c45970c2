import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { BaseOp } from '../src/ops/base-op.js'
import { EMPTY_HASH } from '../src/versioning/version.js'
import { VersionType } from '../src/versioning/version-type.js'
import { versioned } from '../src/versioning/versioned-field.js'
import { VersionedFieldDict } from '../src/versioning/versioned-field-dict.js'
import { defineVersionedOp } from './fixtures/versioned-op.mjs'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./fixtures/print-version.mjs', import.meta.url))
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))

describe('a class version', () => {
  it('is the same in a child process running the built package', async () => {
    expect(existsSync(dist), `build core first (npx tsc -b): ${dist} is missing`).toBe(true)
    const here = defineVersionedOp({ BaseOp, versioned, VersionedFieldDict, VersionType }).version
    // Guard against a comparison of two empty versions, which would prove nothing.
    for (const digest of [here.major, here.minor, here.patch]) expect(digest).not.toBe(EMPTY_HASH)

    const { stdout } = await run(process.execPath, [script], { timeout: 20_000 })
    const there = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, string>
    expect(there.dist).toBe(dist)
    expect({ major: there.major, minor: there.minor, patch: there.patch }).toEqual({
      major: here.major,
      minor: here.minor,
      patch: here.patch,
    })
  })
})
