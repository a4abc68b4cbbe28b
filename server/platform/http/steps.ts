/**
 * Runs a hook's steps in turn and then calls `done`. A step that returns nothing costs no
 * promise; one that returns a promise is waited for, and its rejection goes to `done` (the
 * remaining steps are skipped). The app puts all of one phase's work in one Fastify hook this
 * way, because every hook is a step of Fastify's hook runner on every request.
 */
export type Step<A, B> = (a: A, b: B) => Promise<void> | undefined

export function runSteps<A, B>(
  steps: readonly Step<A, B>[],
  a: A,
  b: B,
  done: (error?: Error) => void,
  from = 0,
): void {
  for (let i = from; i < steps.length; i++) {
    const pending = steps[i]!(a, b)
    if (pending) {
      pending.then(() => runSteps(steps, a, b, done, i + 1), done)
      return
    }
  }
  done()
}
