import type { MetricValueWithName, Registry } from 'prom-client'
import { routeKey } from './route-key.ts'

interface Series {
  labels: { method: string; route: string; status: string }
  buckets: Float64Array
  sum: number
  count: number
}

/**
 * The HTTP request duration histogram, by method, route pattern and status, in Prometheus form.
 *
 * prom-client's Histogram validates and hashes the label object on every `observe`, which cost
 * about 2% of a cheap request's CPU in bench/http.ts. The labels here are always the same three,
 * so a series is found by one string key; the registry renders it like any other metric.
 */
export class RouteHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #series = new Map<string, Map<number, Series>>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never)
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = routeKey(method, route)
    let byStatus = this.#series.get(key)
    if (byStatus === undefined) {
      byStatus = new Map()
      this.#series.set(key, byStatus)
    }
    let series = byStatus.get(status)
    if (series === undefined) {
      series = {
        labels: { method, route, status: String(status) },
        buckets: new Float64Array(this.upperBounds.length),
        sum: 0,
        count: 0,
      }
      byStatus.set(status, series)
    }
    for (let i = 0; i < this.upperBounds.length; i++) {
      if (seconds <= this.upperBounds[i]!) {
        series.buckets[i]! += 1
        break
      }
    }
    series.sum += seconds
    series.count += 1
  }

  /** Cumulative buckets (`le`, with `+Inf`), `_sum` and `_count` for every series seen. */
  get(): {
    name: string
    help: string
    type: string
    aggregator: string
    values: MetricValueWithName<string>[]
  } {
    const values: MetricValueWithName<string>[] = []
    for (const byStatus of this.#series.values()) {
      for (const { labels, buckets, sum, count } of byStatus.values()) {
        let cumulative = 0
        this.upperBounds.forEach((le, i) => {
          cumulative += buckets[i]!
          values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: cumulative })
        })
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count })
        values.push({ metricName: `${this.name}_sum`, labels, value: sum })
        values.push({ metricName: `${this.name}_count`, labels, value: count })
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }

  reset(): void {
    this.#series.clear()
  }
}
