// The usage line of each command, apart from the commands so `chariots --help` loads none of them.

/** Usage of `chariots call`. */
export const CALL_USAGE =
  'chariots call <pipeline> [json input] [--url http://127.0.0.1:5000] [--worker] [--wait] [--timeout-ms N] [--token T]'

/** Usage of `chariots store`. */
export const STORE_USAGE = 'chariots store <ls|prune> (<module> | --path <folder>) [node] [--keep N]'

/** Usage of `chariots worker`. */
export const WORKER_USAGE = 'chariots worker <module> [--concurrency N]'

/** Usage of `chariots serve`. */
export const SERVE_USAGE =
  'chariots serve <module> [--port 5000] [--host 127.0.0.1] [--workers 1|N|auto] [--allowed-hosts name,…] ' +
  '[--headers-timeout-ms 10000] [--request-timeout-ms 60000] [--keep-alive-timeout-ms 5000] [--max-connections N]'

/** Usage of `chariots new`. */
export const NEW_USAGE = 'chariots new <name> [--iris] [--link <chariots checkout> | --registry]'

/** Usage of `chariots plan`. */
export const PLAN_USAGE =
  'chariots plan <pipeline> [--url http://127.0.0.1:5000] [--token T] [--json] [--run [--inputs JSON]]'

/** Usage of `chariots viz`. */
export const VIZ_USAGE =
  'chariots viz <pipeline> [--format mermaid|dot|svg] [--module app.ts | --url http://127.0.0.1:5000] [--token T] [--out file]'
