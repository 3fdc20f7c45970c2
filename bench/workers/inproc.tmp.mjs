const { default: app, pool } = await import('./bench-app.mjs')
await app.ready()
await pool.startWorkers({ concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4) })
console.log('"msg":"worker started"')
process.on('SIGTERM', async () => {
  await pool.close()
  process.exit(0)
})
