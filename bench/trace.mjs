// Preloaded with `node --import` by `npm run bench` (one untimed run: which files a redeem loads)
// and by `npm run bench -- --profile` (phase times). Records, from outside the build:
// - every file: URL the module loader loads, with when (a `module.registerHooks` load hook);
// - marks on the performance.now() clock (ms since process start): this file's first and last
//   line, and, for every module whose URL starts with BENCH_TRACE_MARK_PREFIX, the end of its
//   evaluation ("evaluated <url>", a statement appended to its source: the only change to the code
//   under test, made only when that variable is set);
// - the built-in modules (process.moduleLoadList's NativeModule entries) at start and at exit;
// and writes them as JSON to $BENCH_TRACE_FILE on exit.
/* global process, performance, Buffer */
import { writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'

const preloadStart = performance.now()
const file = process.env.BENCH_TRACE_FILE
const markPrefix = process.env.BENCH_TRACE_MARK_PREFIX
/** performance.now() and the monotonic clock read together, to place marks in a --cpu-prof. */
const clock = { nowMs: performance.now(), hrtimeUs: Number(process.hrtime.bigint() / 1000n) }
/** @type {Record<string, number>} */
const marks = { preloadStart }
/** @type {{ url: string, at: number, ms: number }[]} */
const loads = []
/** process.moduleLoadList: undocumented, so not in @types/node. */
const moduleLoadList = () =>
  /** @type {{ moduleLoadList: string[] }} */ (/** @type {unknown} */ (process)).moduleLoadList
const builtins = () =>
  moduleLoadList()
    .filter(m => m.startsWith('NativeModule '))
    .map(m => m.slice('NativeModule '.length))
const builtinsAtStart = builtins()

/** @param {string} name */
const mark = name => {
  marks[name] ??= performance.now()
}
Object.defineProperty(globalThis, '__benchMark', { value: mark })

registerHooks({
  load(url, context, nextLoad) {
    const at = performance.now()
    const result = nextLoad(url, context)
    if (!url.startsWith('file:')) return result
    loads.push({ url, at, ms: performance.now() - at })
    if (markPrefix && url.startsWith(markPrefix) && result.source !== undefined) {
      const tail = `;globalThis.__benchMark(${JSON.stringify(`evaluated ${url}`)});\n`
      result.source =
        typeof result.source === 'string'
          ? result.source + tail
          : Buffer.concat([
              Buffer.from(/** @type {Uint8Array} */ (result.source)),
              Buffer.from(tail)
            ])
    }
    return result
  }
})

if (file) {
  process.on('exit', () => {
    mark('exit')
    writeFileSync(
      file,
      JSON.stringify({
        timeOrigin: performance.timeOrigin,
        nodeTiming: performance.nodeTiming.toJSON(),
        clock,
        marks,
        loads,
        builtinsAtStart,
        builtinsAtExit: builtins()
      })
    )
  })
}
marks.preloadEnd = performance.now()
