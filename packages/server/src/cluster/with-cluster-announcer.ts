import type { Announcer } from '@chariots/core'
import { ClusterAnnouncer, clusterAnnouncerOfProcess } from './cluster-announcer.js'
import { ComposedAnnouncer } from './composed-announcer.js'

/**
 * The announcer an app's host uses: in a process of `chariots serve --workers N`, the
 * {@link ClusterAnnouncer} that keeps the processes in step, composed with the app's own announcer
 * to other hosts when it has one ({@link ComposedAnnouncer}); elsewhere the app's own, unchanged.
 *
 * @example
 * ```ts
 * new PipelineHost(pipelines, { path, announcer: withClusterAnnouncer(options.announcer) })
 * ```
 */
export function withClusterAnnouncer(own: Announcer | undefined): Announcer | undefined {
  const local = clusterAnnouncerOfProcess(own?.replica)
  if (!local) return own
  return own ? new ComposedAnnouncer(local, own) : local
}

/**
 * The {@link ClusterAnnouncer} inside an announcer ({@link withClusterAnnouncer}'s answer), if
 * any: `chariots serve --workers N` joins it once the app is loaded.
 *
 * @example
 * ```ts
 * await clusterAnnouncerIn(app.host.replicas?.announcer)?.join()
 * ```
 */
export function clusterAnnouncerIn(announcer: Announcer | undefined): ClusterAnnouncer | undefined {
  if (announcer instanceof ClusterAnnouncer) return announcer
  if (announcer instanceof ComposedAnnouncer) return clusterAnnouncerIn(announcer.parts[0])
  return undefined
}
