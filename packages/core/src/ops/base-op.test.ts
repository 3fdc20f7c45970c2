import { describe, expect, it } from 'vitest'
import { BaseOp } from './base-op.js'

describe('op.name', () => {
  it('is the static opName when the class sets one', () => {
    class AddOneOp extends BaseOp {
      static override opName = 'add_one'
      execute(x: number) {
        return x + 1
      }
    }
    expect(new AddOneOp().name).toBe('add_one')
  })

  it('is the class name in lower case otherwise', () => {
    class IsOddOp extends BaseOp {
      execute(x: number) {
        return x % 2 === 1
      }
    }
    expect(new IsOddOp().name).toBe('isoddop')
  })

  it("is a subclass's own: a parent's opName does not name its subclasses", () => {
    class ParentOp extends BaseOp {
      static override opName = 'parent'
      execute() {}
    }
    class ChildOp extends ParentOp {}
    class NamedChildOp extends ParentOp {
      static override opName = 'named_child'
    }
    expect(new ParentOp().name).toBe('parent')
    expect(new ChildOp().name).toBe('childop')
    expect(new NamedChildOp().name).toBe('named_child')
  })
})
