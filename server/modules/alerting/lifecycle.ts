import type { Verdict } from './conditions.ts'

/**
 * An alert's life: a breach opens it as pending; it fires once the breach has lasted the rule's
 * `for` duration (at once when that is 0); a pending alert whose breach ends is dropped (it never
 * fired, so nobody heard of it); a firing one resolves. An unknown verdict (no data) changes
 * nothing, so a gap in the data neither fires nor resolves anything.
 */
export type Step = 'none' | 'open-pending' | 'open-firing' | 'fire' | 'drop' | 'resolve' | 'update'

export interface Current {
  state: 'pending' | 'firing'
  pendingSince: Date
}

export function nextStep(
  current: Current | undefined,
  verdict: Verdict,
  forSeconds: number,
  now: Date,
): Step {
  if (verdict.state === 'unknown') return 'none'
  if (!current) {
    if (verdict.state === 'ok') return 'none'
    return forSeconds === 0 ? 'open-firing' : 'open-pending'
  }
  if (verdict.state === 'ok') return current.state === 'pending' ? 'drop' : 'resolve'
  if (current.state === 'pending' && now.getTime() - current.pendingSince.getTime() >= forSeconds * 1000)
    return 'fire'
  return 'update'
}
