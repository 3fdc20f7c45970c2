// Runs pnpm and npm in a scaffolded project as a user would, with the registry (the local cache
// first: --prefer-offline) and without the variables the outer pnpm/vitest run sets.
import { spawn } from 'node:child_process'
import { type CliResult, cleanEnv } from './cli-process.js'

/** Variables pnpm sets for its scripts; a nested install must not see them. */
const PNPM_SCRIPT_ENV =
  /^(npm_(lifecycle|package)_|npm_command$|npm_execpath$|npm_node_execpath$|npm_config_user_agent$|(npm|pnpm)_config_verify_deps_before_run$|PNPM_)/i

/** The environment of a nested package manager: a shell's, plus `extra`. */
export function installEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.entries(cleanEnv()).filter(([key]) => !PNPM_SCRIPT_ENV.test(key))
  return { ...Object.fromEntries(env), ...extra }
}

/** Runs `command ...args` in `cwd` to its end (killed after `timeoutMs`, default 5 minutes). */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: installEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** The arguments of a first install (no lockfile yet, also on CI where pnpm defaults to frozen). */
export const INSTALL_ARGS = {
  pnpm: ['install', '--prefer-offline', '--no-frozen-lockfile'],
  npm: ['install', '--prefer-offline', '--no-audit', '--no-fund'],
} as const

/** Throws with the output unless the command exited 0. */
export function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`)
  return r
}
