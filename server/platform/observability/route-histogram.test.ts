import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { RouteHistogram } from './route-histogram.ts'

describe('RouteHistogram', () => {
  it('renders cumulative buckets, +Inf, sum and count per method, route and status', async () => {
    const registry = new Registry()
    const histogram = new RouteHistogram('req_seconds', 'Request time.', [0.01, 0.1, 1], registry)
    for (const seconds of [0.005, 0.01, 0.05, 0.5, 3]) histogram.observe('GET', '/a', 200, seconds)
    histogram.observe('POST', '/a', 500, 0.2)

    const text = await registry.metrics()
    expect(text).toContain('# TYPE req_seconds histogram')
    const line = (labels: string) => text.split('\n').find((l) => l.startsWith(`req_seconds${labels}`))
    expect(line('_bucket{method="GET",route="/a",status="200",le="0.01"}')).toMatch(/ 2$/)
    expect(line('_bucket{method="GET",route="/a",status="200",le="0.1"}')).toMatch(/ 3$/)
    expect(line('_bucket{method="GET",route="/a",status="200",le="1"}')).toMatch(/ 4$/)
    expect(line('_bucket{method="GET",route="/a",status="200",le="+Inf"}')).toMatch(/ 5$/)
    expect(line('_sum{method="GET",route="/a",status="200"}')).toMatch(/ 3\.565$/)
    expect(line('_count{method="GET",route="/a",status="200"}')).toMatch(/ 5$/)
    expect(line('_bucket{method="POST",route="/a",status="500",le="0.1"}')).toMatch(/ 0$/)
    expect(line('_bucket{method="POST",route="/a",status="500",le="1"}')).toMatch(/ 1$/)

    histogram.reset()
    expect(await registry.metrics()).not.toContain('req_seconds_count')
  })
})
