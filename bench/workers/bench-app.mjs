// The app module the Chariots side of workers.bench.mjs runs with `chariots worker`: one trivial
// pipeline (its input back), on the queue the bench names.
import { BaseOp, Node, Pipeline, ReservedNodes } from '@chariots/core'
import { Chariots } from '@chariots/server'
import { RQWorkerPool } from '@chariots/workers-rq-like'

class EchoOp extends BaseOp {
  static opName = 'echoop'
  execute(x) {
    return x
  }
}

export const echo = new Pipeline(
  [
    new Node(new EchoOp(), {
      inputNodes: [ReservedNodes.pipelineInput],
      outputNodes: ReservedNodes.pipelineOutput,
    }),
  ],
  'echo',
)

export const pool = new RQWorkerPool({
  connection: process.env.BENCH_REDIS_URL,
  queueName: process.env.BENCH_QUEUE,
  useWorkerThreads: process.env.BENCH_SANDBOX !== 'process', // one thread (or child) per job slot
})

export default new Chariots([echo], { path: process.env.BENCH_DATA, workerPool: pool })
