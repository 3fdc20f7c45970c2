import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BaseOp, Node, Pipeline, ReservedNodes } from '@chariots/core'
import { applyHttpServerLimits, Chariots } from '@chariots/server'
import { Client } from '@chariots/server/client'
import { serve } from '@hono/node-server'

class IsOddOp extends BaseOp {
  static override opName = 'isoddop'
  execute(x: number) {
    return x % 2 === 1
  }
}
const isOdd = new Pipeline(
  [
    new Node(new IsOddOp(), {
      inputNodes: [ReservedNodes.pipelineInput],
      outputNodes: ReservedNodes.pipelineOutput,
    }),
  ],
  'is_odd',
)

// In an app module you would `export default app` and run `chariots serve app.ts`; here the
// example serves it itself, on a free port, with the timeouts and caps `chariots serve` applies.
const app = new Chariots([isOdd], { path: await mkdtemp(join(tmpdir(), 'chariots-')) })
await app.ready()
const server = applyHttpServerLimits(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }))
await new Promise((resolve) => server.once('listening', resolve))
const { port } = server.address() as AddressInfo

const client = new Client(`http://127.0.0.1:${port}`)
const { value, versions } = await client.callPipeline('is_odd', 4)
assert.equal(value, false)
console.log(versions.get('isoddop')?.toString()) // da39….da39….da39…_1764…
server.close()
