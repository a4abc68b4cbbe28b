/**
 * The monitoring module's public contract: the metric catalog, stored series, when a metric was
 * last seen, uptime from sampling coverage, and one sample on demand. Alerting and the other
 * operations modules call these.
 */
export { type MetricDefinition, metricCatalog } from './catalog.ts'
export { sampleOnce } from './sampler.ts'
export { lastSeenAt, readSeries, type Series, type SeriesPoint } from './series.ts'
export { uptimePercent } from './uptime.ts'
