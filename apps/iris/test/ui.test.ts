/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard end to end: the iris app served over real HTTP, driven by Debian's headless
// Chromium through playwright-core, as a person would use it. Screenshots go to
// .test-results/ui/ at the repository root (git-ignored), one per step.
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServedIris, serveIris } from './helpers/dashboard-app.js'

const CHROMIUM = '/usr/bin/chromium'
const SHOTS = fileURLToPath(new URL('../../../.test-results/ui/', import.meta.url))
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]

let browser: Browser
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; scripts/setup.sh does)`,
    )
  }
  mkdirSync(SHOTS, { recursive: true })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
}, 30_000)
afterAll(async () => {
  await browser?.close()
})

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })
const card = (page: Page, name: string): Locator => page.locator(`article.pipeline[data-pipeline="${name}"]`)
const press = (page: Page, pipeline: string, action: string) =>
  card(page, pipeline).locator(`button[data-action="${action}"]`).click()
const output = (page: Page, pipeline: string) => card(page, pipeline).locator('pre.output')
/** Polls until the value matches (trainings take a few hundred ms, more on a busy machine). */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 50 })

async function openDashboard(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(err.message))
  // An aborted request (a stream the page closed) is not a problem; any other failure is.
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`)
  })
  page.on('request', (req) => {
    if (!req.url().startsWith(url) && !req.url().startsWith('data:'))
      problems.push(`left the server: ${req.url()}`)
  })
  await page.goto(`${url}/ui/`)
  await page.waitForSelector('body[data-ready="true"]')
  ;(page as Page & { problems?: string[] }).problems = problems
  return page
}

describe('the dashboard at /ui', () => {
  let served: ServedIris
  let page: Page
  beforeAll(async () => {
    served = await serveIris()
    page = await openDashboard(served.url)
  }, 30_000)
  afterAll(async () => {
    await page?.close()
    await served?.close()
  })

  it('shows every iris pipeline as a DAG with node names, op names, short versions, and whether it loads', async () => {
    const names = await page.locator('article.pipeline h2').allTextContents()
    expect(names).toEqual([
      'download_iris',
      'train_iris',
      'train_iris_async',
      'pred_iris',
      'is_odd',
      'train_pca',
    ])
    const pred = card(page, 'pred_iris')
    await eventually(() => pred.locator('.badge').first().textContent()).toBe('not loadable')
    const nodes = await pred.locator('g.node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-node')))
    expect(nodes).toEqual(['__pipeline_input__', 'pca', 'random_forest', 'species', '__pipeline_output__'])
    const pca = await pred.locator('g.node[data-node="pca"]').textContent()
    expect(pca).toMatch(/pca[0-9a-f]{8}missing/) // name, short version, status
    const split = await card(page, 'train_iris').locator('g.node[data-node="xy_split"]').textContent()
    expect(split).toMatch(/^.*xy_split[0-9a-f]{8}plain$/)
    expect(
      await card(page, 'train_iris').locator('g.node[data-node="load_iris.csv"]').textContent(),
    ).toContain('dataloadingop · ')
    // Never trained: the plan is there already, naming the data step and the training pipeline.
    await eventually(() => pred.locator('.plan').textContent()).toContain('train_iris')
    await shot(page, '01-opened')
  })

  it('runs train_iris as a job and shows its progress reach 100%', async () => {
    await press(page, 'download_iris', 'run')
    await eventually(() => output(page, 'download_iris').textContent()).toContain('"job_status": "done"')
    // Record every width the job's bar takes, from the page's own updates (SSE).
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { widths: string[] }).widths = seen
      new MutationObserver(() => {
        for (const fill of document.querySelectorAll<HTMLElement>('li.job .fill')) seen.push(fill.style.width)
      }).observe(document.getElementById('jobs')!, { subtree: true, attributes: true, childList: true })
    })
    await press(page, 'train_iris', 'worker')
    const job = page.locator('li.job').first()
    await eventually(() => job.getAttribute('class')).toBe('job done')
    expect(await job.locator('.percent').textContent()).toBe('100%')
    expect(await job.locator('.fill').evaluate((el) => (el as HTMLElement).style.width)).toBe('100%')
    expect(await job.locator('b').textContent()).toBe('train_iris')
    const widths = await page.evaluate(() => (window as unknown as { widths: string[] }).widths)
    expect(widths.at(-1)).toBe('100%')
    await eventually(() => output(page, 'train_iris').textContent()).toContain('"job_status": "done"')
    await shot(page, '02-job-done')
  })

  it('saves, loads and predicts from the page', async () => {
    await press(page, 'train_iris', 'run')
    await eventually(() => output(page, 'train_iris').textContent()).toContain('"job_id": null')
    await press(page, 'train_iris', 'save')
    await eventually(() => output(page, 'train_iris').textContent()).toContain('"saved"')
    await press(page, 'pred_iris', 'load')
    await eventually(() => output(page, 'pred_iris').textContent()).toContain('"loaded": true')
    const pred = card(page, 'pred_iris')
    await eventually(() => pred.locator('.badge').first().textContent()).toBe('loadable')
    await pred.locator('textarea').fill('[[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]')
    await press(page, 'pred_iris', 'run')
    await eventually(() => output(page, 'pred_iris').textContent()).toContain('"pipeline_output": [')
    const answer = JSON.parse((await output(page, 'pred_iris').textContent())!)
    expect(answer.pipeline_output).toEqual(['setosa', 'virginica'])
    const link = pred.locator('path[data-from="pca"][data-to="random_forest"]')
    await eventually(() => link.getAttribute('class')).toBe('link link-valid')
    expect(await link.getAttribute('stroke')).toBe('#2e7d32') // green
    await shot(page, '03-predicted')
  })

  it('after retraining the upstream alone, the stale link turns red and the plan appears; running it turns it green', async () => {
    await press(page, 'train_pca', 'run')
    await eventually(() => output(page, 'train_pca').textContent()).toContain('"job_status": "done"')
    await press(page, 'train_pca', 'save')
    await eventually(() => output(page, 'train_pca').textContent()).toContain('"saved"')
    const pred = card(page, 'pred_iris')
    const link = pred.locator('path[data-from="pca"][data-to="random_forest"]')
    await eventually(() => link.getAttribute('class')).toBe('link link-stale')
    expect(await link.getAttribute('stroke')).toBe('#d32f2f') // red
    expect(await link.locator('title').textContent()).toMatch(
      /^random_forest was trained on pca [0-9a-f]{8}, now [0-9a-f]{8}$/,
    )
    const plan = pred.locator('.plan')
    await eventually(() => plan.isVisible()).toBe(true)
    expect(await plan.textContent()).toMatch(
      /Stale: random_forest ← pca.*train_iris.*'random_forest' was trained on 'pca'/,
    )
    expect(await pred.locator('.badge').allTextContents()).toEqual(['not loadable', 'serving'])
    await shot(page, '04-stale-link-and-plan')

    await pred.locator('button[data-action="run-plan"]').click()
    await eventually(() => link.getAttribute('class')).toBe('link link-valid')
    await eventually(() => pred.locator('.badge').first().textContent()).toBe('loadable')
    expect(await plan.isVisible()).toBe(false)
    await shot(page, '05-plan-ran')
  })

  it('clicking a node shows its saved states and lineage', async () => {
    await card(page, 'pred_iris').locator('g.node[data-node="random_forest"]').click()
    const details = page.locator('#details')
    await eventually(() => details.locator('tbody tr').count()).toBeGreaterThanOrEqual(3)
    const head = await details.locator('.details-head').textContent()
    expect(head).toMatch(/^random_forest \(random_forest\) in pred_iris: ok · serving state #\d+$/)
    const newest = details.locator('tbody tr').first()
    expect(await newest.getAttribute('class')).toBe('serving')
    expect(await newest.textContent()).toMatch(/pca [0-9a-f]{8}/)
    // An older state was trained on a PCA that is no longer the current one: marked, not loadable.
    expect(await details.locator('tbody tr .misfit').count()).toBeGreaterThan(0)
    await shot(page, '06-node-states')
  })

  it('threw no error in the page and sent no request outside the server', () => {
    expect((page as Page & { problems?: string[] }).problems).toEqual([])
  })

  it('renders the OpenAPI document with Swagger UI at /ui/api, from the package', async () => {
    const api = await browser.newPage()
    const outside: string[] = []
    api.on('request', (req) => {
      if (!req.url().startsWith(served.url) && !req.url().startsWith('data:')) outside.push(req.url())
    })
    await api.goto(`${served.url}/ui/api/`)
    await api.waitForSelector('.swagger-ui .info .title')
    expect(await api.locator('.swagger-ui .info .title').textContent()).toContain('Chariots')
    await api.getByText('/pipelines/{name}/plan', { exact: true }).first().waitFor()
    await api.screenshot({ path: `${SHOTS}07-api.png` })
    expect(outside).toEqual([])
    await api.close()
  })
})

describe('the dashboard under auth, and turned off', () => {
  it('asks for the token once, then serves the page and its requests with the login cookie', async () => {
    const served = await serveIris({ auth: { token: 's3cret token' } })
    const page = await browser.newPage()
    try {
      expect((await fetch(`${served.url}/ui/assets/main.js`)).status).toBe(401)
      await page.goto(`${served.url}/ui/`)
      expect(new URL(page.url()).pathname).toBe('/ui/login')
      await page.fill('input[name="token"]', 'wrong')
      await page.click('button[type="submit"]')
      expect(await page.textContent('form')).toContain('That is not the token of this server.')
      await page.fill('input[name="token"]', 's3cret token')
      await page.click('button[type="submit"]')
      await page.waitForSelector('body[data-ready="true"]')
      expect(await page.locator('article.pipeline').count()).toBe(6)
      await page.screenshot({ path: `${SHOTS}08-after-login.png` })
    } finally {
      await page.close()
      await served.close()
    }
  })

  it('ui: false serves no page', async () => {
    const served = await serveIris({ ui: false })
    try {
      expect((await fetch(`${served.url}/ui/`)).status).toBe(404)
      expect((await fetch(`${served.url}/ui/api/`)).status).toBe(404)
    } finally {
      await served.close()
    }
  })
})
