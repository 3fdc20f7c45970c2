import { ChariotsError, ErrorCode } from '@chariots/core'
import { checkMatrix, describe } from './check-input.js'
import type { AdapterJSON } from './model-adapter.js'
import { ShapeError } from './shape-error.js'

type Trained<L> = { model: L; nFeatures: number }

/** The class side `restore` needs: the static `kind` and a constructor from parameters. */
export interface AdapterConstructor<A> {
  readonly kind: string
  readonly name: string
  new (params: any): A
}

/**
 * Shared plumbing of the adapters: input checks, the fitted state, and the JSON envelope
 * ({@link AdapterJSON}). A subclass says how to train (`train`), predict (`infer`), and convert its
 * library model to and from JSON (`save`, `load`). Messages name the adapter by its class name.
 *
 * @typeParam P - the parameters, kept in the JSON form
 * @typeParam L - the trained library model
 * @typeParam R - what `predict` returns
 * @typeParam Y - the targets `fit` takes
 *
 * @example
 * ```ts
 * import { AdapterBase, GaussianNB } from '@chariots/ml'
 * new GaussianNB() instanceof AdapterBase // true
 * ```
 */
// No `implements ModelAdapter` here: a generic `Y` is not provably `number[]`. Each concrete class is
// checked against ModelAdapterClass in model-adapters.ts instead.
export abstract class AdapterBase<
  P extends object,
  L,
  R extends number[] | number[][] = number[],
  Y = number[],
> {
  /** The parameters the adapter was built with. */
  readonly params: P
  #trained: Trained<L> | undefined

  constructor(params: P) {
    this.params = params
  }

  /** The registry key, read from the class's static `kind`. */
  get kind(): string {
    return (this.constructor as AdapterConstructor<this>).kind
  }

  /** Whether the adapter holds a model, from `fit` or `fromJSON`. */
  get isFitted(): boolean {
    return this.#trained !== undefined
  }

  /** Trains from scratch on X (rows of numbers) and, for supervised adapters, y (one target per row). */
  fit(X: number[][], y?: Y): void {
    const nFeatures = checkMatrix(this.#where('fit'), X)
    this.#trained = { model: this.train(X, y), nFeatures }
  }

  /** Predicts for rows as wide as the training rows. */
  predict(X: number[][]): R {
    const { model, nFeatures } = this.#require('predict')
    checkMatrix(this.#where('predict'), X, nFeatures)
    return this.infer(model, X)
  }

  /** The JSON envelope: kind, params, feature count, and the library's model export. */
  toJSON(): AdapterJSON<P> {
    const { model, nFeatures } = this.#require('toJSON')
    return { kind: this.kind, params: plain(this.params), nFeatures, model: plain(this.save(model)) }
  }

  /** Trains a new library model; `y` is unchecked (each adapter knows what it needs). */
  protected abstract train(X: number[][], y: Y | undefined): L
  /** Predicts with a trained model; `X` is already checked. */
  protected abstract infer(model: L, X: number[][]): R
  /** The library model's JSON export (or ours). */
  protected abstract save(model: L): unknown
  /** The library model back from what `save` wrote, after a JSON round trip. */
  protected abstract load(json: unknown): L

  /** Rebuilds a trained adapter of class `Ctor` from its {@link AdapterJSON}. */
  protected static restore<A extends AdapterBase<any, any, any, any>>(
    Ctor: AdapterConstructor<A>,
    json: unknown,
  ): A {
    const where = `${Ctor.name}.fromJSON`
    const expected = `the JSON of a fitted ${Ctor.name} ({ kind: '${Ctor.kind}', params, nFeatures, model })`
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ShapeError(where, expected, describe(json))
    }
    const { kind, params, nFeatures, model } = json as Partial<AdapterJSON>
    if (kind !== Ctor.kind) throw new ShapeError(where, expected, `kind ${JSON.stringify(kind)}`)
    if (
      typeof params !== 'object' ||
      params === null ||
      !Number.isInteger(nFeatures) ||
      model === undefined
    ) {
      throw new ShapeError(where, expected, 'an object without params, nFeatures or model')
    }
    const adapter = new Ctor(params)
    try {
      adapter.#trained = { model: adapter.load(model), nFeatures: nFeatures as number }
    } catch (cause) {
      throw new ShapeError(where, expected, `a model the library cannot load (${String(cause)})`, { cause })
    }
    return adapter
  }

  #where(method: string): string {
    return `${this.constructor.name}.${method}`
  }

  #require(method: string): Trained<L> {
    if (this.#trained) return this.#trained
    const name = this.constructor.name
    throw new ChariotsError(
      ErrorCode.MODEL_NOT_FITTED,
      `${name}.${method}: ${name} is not fitted; call fit first, or load a fitted one with ${name}.fromJSON(json)`,
      { details: { adapter: name, method } },
    )
  }
}

/** A deep copy that is plain JSON (class instances and typed arrays flattened by their toJSON). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
