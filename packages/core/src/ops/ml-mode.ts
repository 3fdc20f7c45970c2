/** What an ML op does when it runs. */
export const MLMode = {
  FIT: 'fit',
  PREDICT: 'predict',
  FIT_PREDICT: 'fit_predict',
} as const

/** `'fit' | 'predict' | 'fit_predict'`. */
export type MLMode = (typeof MLMode)[keyof typeof MLMode]
