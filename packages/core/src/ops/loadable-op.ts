import { canonicalJson, sha1Hex } from '../versioning/canonical-json.js'
import { Version } from '../versioning/version.js'
import { versionOf } from '../versioning/version-of.js'
import { VersionType } from '../versioning/version-type.js'
import { BaseOp } from './base-op.js'

/** The state a {@link LoadableOp} holds: its version, where it came from, and whether it is saved. */
export interface OpState {
  /** The op's version with this state (what `opVersion` answers). */
  readonly version: Version
  /** Upstream node name → version, when the state was produced (filled in by the runner). */
  lineage: Readonly<Record<string, string>>
  /** The store's save-order number of this state; null while it is not saved. */
  seq: number | null
  /** True when the state changed since it was loaded or saved: what a save writes. */
  changed: boolean
}

/**
 * An op with state that is saved to the store and loaded back (a trained model, a counter).
 *
 * An op that changes its state calls `markStateChanged()`: that gives the state a new version (the
 * class version with the time hashed into the sub-version named by the static
 * `trainingUpdateVersion`, MAJOR by default) and marks it for the next save. ML ops do it on every
 * training. A save writes only changed states, each with its lineage.
 *
 * @example
 * ```ts
 * class CounterOp extends LoadableOp {
 *   count = 0
 *   execute() { this.markStateChanged(); return ++this.count }
 *   serialize() { return new TextEncoder().encode(String(this.count)) }
 *   load(bytes: Uint8Array) { this.count = Number(new TextDecoder().decode(bytes)) }
 * }
 * ```
 */
export abstract class LoadableOp extends BaseOp {
  /** The sub-version a change of state (a training) moves. */
  static trainingUpdateVersion: VersionType = VersionType.MAJOR
  /** The state held, or null for a fresh op (never changed, never loaded). */
  state: OpState | null = null
  /** Counts changes of state, so a runner can tell whether a node changed it. */
  stateRevision = 0

  /** The op's state as bytes. */
  abstract serialize(): Uint8Array | Promise<Uint8Array>

  /** Restores the state `serialize` produced. */
  abstract load(bytes: Uint8Array): void | Promise<void>

  /** Whether the op holds state (trained here, or loaded from a store). */
  get hasSavedState(): boolean {
    return this.state !== null
  }

  /** True when the op cannot run before state was saved for it (an ML op in PREDICT mode). */
  get requiresSavedState(): boolean {
    return false
  }

  /**
   * Whether a load gives this op the latest saved state that fits its upstream (default true: a
   * counter goes on counting). ML ops that train on every run (FIT, FIT_PREDICT) never load.
   */
  get usesSavedState(): boolean {
    return true
  }

  /**
   * Whether running the op may change its state (default true). Pipelines with such ops run one
   * call at a time, so a training and the save of its result never interleave with another.
   */
  get changesStateOnRun(): boolean {
    return true
  }

  /** Marks the state as changed: a new version, saved by the next save. Answers the new version. */
  markStateChanged(): Version {
    const version = this.versionAt(Version.now())
    this.state = { version, lineage: {}, seq: null, changed: true }
    this.stateRevision++
    return version
  }

  /**
   * Turns saved bytes into a state without touching the op, so a load can read every node's state
   * before it swaps any in. Ops whose `load` can fail on bad bytes should override it (ML ops do);
   * the default keeps the bytes for `applyState`.
   */
  decodeState(bytes: Uint8Array): unknown | Promise<unknown> {
    return bytes
  }

  /** Puts in place what `decodeState` answered (default: `load(bytes)`). */
  applyState(decoded: unknown): void | Promise<void> {
    return this.load(decoded as Uint8Array)
  }

  /**
   * What `applyState` needs to put the current state back (a load that fails half-way undoes its
   * swap with it). The default serializes; ML ops answer their model object, which costs nothing.
   */
  snapshotState(): unknown | Promise<unknown> {
    return this.serialize()
  }

  override get opVersion(): Version {
    return this.state?.version ?? versionOf(this.constructor)
  }

  /**
   * Whether a saved version came from this op's code: the class version with its time hashed in
   * gives it back (or it has the class's own major). Used for states saved without a code version.
   */
  matchesCodeVersion(saved: Version): boolean {
    return (
      saved.major === versionOf(this.constructor).major ||
      this.versionAt(saved.creationTime).major === saved.major
    )
  }

  /** The class version with a change at `time` hashed into the `trainingUpdateVersion` sub-version. */
  protected versionAt(time: number): Version {
    const base = versionOf(this.constructor)
    const type = (this.constructor as typeof LoadableOp).trainingUpdateVersion ?? VersionType.MAJOR
    return new Version({
      major: base.major,
      minor: base.minor,
      patch: base.patch,
      [type]: sha1Hex(`${base[type]}:trained@${canonicalJson(time)}`),
      creationTime: time,
    })
  }
}
