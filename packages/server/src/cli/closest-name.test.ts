import { describe, expect, it } from 'vitest'
import { closestName } from './closest-name.js'

describe('closestName', () => {
  const commands = ['new', 'serve', 'worker', 'call']

  it('suggests the command a typo was meant to be', () => {
    expect(closestName('serv', commands)).toBe('serve')
    expect(closestName('sevre', commands)).toBe('serve')
    expect(closestName('SERVE', commands)).toBe('serve')
    expect(closestName('wroker', commands)).toBe('worker')
    expect(closestName('cal', commands)).toBe('call')
  })

  it('suggests nothing for a name that is not close to any', () => {
    expect(closestName('deploy', commands)).toBeUndefined()
    expect(closestName('x', commands)).toBeUndefined()
    expect(closestName('nope', ['is_odd', 'steps', 'fail'])).toBeUndefined()
    expect(closestName('a', [])).toBeUndefined()
  })

  it('picks the closest of several pipeline names, and takes a prefix', () => {
    expect(closestName('pred_iri', ['train_iris', 'pred_iris', 'download_iris'])).toBe('pred_iris')
    expect(closestName('train', ['train_iris', 'pred_iris'])).toBe('train_iris')
    expect(closestName('is_od', ['is_odd', 'is_even'])).toBe('is_odd')
  })
})
