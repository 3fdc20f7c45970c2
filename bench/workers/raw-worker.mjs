// A raw BullMQ worker process for workers.bench.mjs: returns each job's input.
import { Worker } from 'bullmq'

const worker = new Worker(process.env.BENCH_QUEUE, async (job) => job.data, {
  connection: { url: process.env.BENCH_REDIS_URL, maxRetriesPerRequest: null },
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 1),
})
await worker.waitUntilReady()
console.log('raw worker ready')
const stop = async () => {
  await worker.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
