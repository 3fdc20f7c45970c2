import { upperCaseConstants } from '../constants/upper-case-constants.js'

/** What an ML op does when it runs: `MLMode.FIT`, `MLMode.PREDICT`, `MLMode.FIT_PREDICT`. */
export const MLMode = upperCaseConstants('fit', 'predict', 'fit_predict')

/** `'fit' | 'predict' | 'fit_predict'`. */
export type MLMode = (typeof MLMode)[keyof typeof MLMode]
