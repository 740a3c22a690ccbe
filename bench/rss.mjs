// Preloaded with `node --import` by `npm run bench` when /usr/bin/time is missing: on exit, writes
// what `/usr/bin/time -f '%M %U %S'` would to $BENCH_RSS_FILE: peak resident set size in kilobytes,
// then user and system CPU seconds.
/* global process */
import { writeFileSync } from 'node:fs'

const file = process.env.BENCH_RSS_FILE
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    const seconds = (/** @type {number} */ micros) => (micros / 1e6).toFixed(3)
    writeFileSync(
      file,
      `${usage.maxRSS} ${seconds(usage.userCPUTime)} ${seconds(usage.systemCPUTime)}`
    )
  })
}
