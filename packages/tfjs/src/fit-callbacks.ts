import * as tf from '@tensorflow/tfjs'

/** What `fitParams.callbacks` may hold: TF.js callbacks (`tf.callbacks.earlyStopping(…)`) or hook objects. */
export type TFJSCallback = tf.Callback | tf.CustomCallback | tf.CustomCallbackArgs

/** A callback object model.fit calls as is (it has the BaseCallback methods), not a hook record. */
function isCallbackObject(value: unknown): value is tf.CustomCallback {
  const v = value as { setModel?: unknown; setParams?: unknown } | null
  return typeof v?.setModel === 'function' && typeof v?.setParams === 'function'
}

/**
 * The user's callbacks followed by the op's own, as one list of callback objects. `model.fit` takes
 * callback objects or hook records but not a mix of both (it only looks at the first entry), so
 * hook records are wrapped in `tf.CustomCallback` here.
 */
export function fitCallbacks(
  user: TFJSCallback | readonly TFJSCallback[] | undefined,
  own: tf.CustomCallbackArgs,
): tf.CustomCallback[] {
  const given = user === undefined || user === null ? [] : Array.isArray(user) ? user : [user]
  return [...given, own].map((cb) =>
    isCallbackObject(cb) ? cb : new tf.CustomCallback(cb as tf.CustomCallbackArgs),
  )
}
