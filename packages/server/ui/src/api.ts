// Calls of the Chariots HTTP API from the dashboard page, which is served at `<app>/ui/`: every
// route is one level up, so the page also works when the app is mounted under a prefix.

/** An error answer of the API: its code, message and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message)
  }
}

const root = new URL('../', window.location.href)

/** The URL of an API path (no leading slash), relative to the app. */
export function apiUrl(path: string): string {
  return new URL(path, root).toString()
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(apiUrl(path), {
    credentials: 'same-origin',
    ...init,
    headers: { accept: 'application/json', 'x-chariots': '1', ...(init.headers ?? {}) },
  })
  if (response.ok) return response
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: Record<string, unknown> }
  } | null
  throw new ApiError(
    response.status,
    body?.error?.code ?? `HTTP_${response.status}`,
    body?.error?.message ?? `${response.status} ${response.statusText}`,
    body?.error?.details,
  )
}

/** GETs JSON. */
export async function getJson<T>(path: string): Promise<T> {
  return (await (await send(path)).json()) as T
}

/** GETs text (an SVG). */
export async function getText(path: string): Promise<string> {
  return (await send(path)).text()
}

/** POSTs a JSON body and answers the JSON. */
export async function postJson<T>(path: string, body: unknown = null): Promise<T> {
  const response = await send(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return (await response.json()) as T
}

/** `encodeURIComponent` for a path segment. */
export const seg = encodeURIComponent
