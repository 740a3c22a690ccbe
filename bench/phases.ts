/**
 * What bench/trace.mjs records in a run of the action, and the phases and file lists the bench
 * reads from it. Times are ms on the child's performance.now() clock (0 = process start) unless
 * named epoch.
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ROOT } from '../__tests__/support/harness.js'

export const TRACE_PRELOAD = pathToFileURL(join(ROOT, 'bench', 'trace.mjs')).href

export interface Trace {
  /** Epoch ms of the child's process start. */
  timeOrigin: number
  nodeTiming: { bootstrapComplete: number; environment: number; v8Start: number }
  /** performance.now() and the monotonic clock (µs, as --cpu-prof uses) read together. */
  clock: { nowMs: number; hrtimeUs: number }
  marks: Record<string, number>
  loads: { url: string; at: number; ms: number }[]
  builtinsAtStart: string[]
  builtinsAtExit: string[]
}

/** Env for a traced child: where to write the trace, and which modules get an "evaluated" mark. */
export function traceEnv(env: NodeJS.ProcessEnv, file: string, dist: string): NodeJS.ProcessEnv {
  return {
    ...env,
    BENCH_TRACE_FILE: file,
    BENCH_TRACE_MARK_PREFIX: `${pathToFileURL(dist).href}/`
  }
}

export function readTrace(file: string): Trace {
  return JSON.parse(readFileSync(file, 'utf8')) as Trace
}

export interface LoadedFile {
  /** Path relative to the dist copy, e.g. bundle/index.js. */
  file: string
  bytes: number
  /** When its load began, ms after process start. */
  at: number
}

/** The files of the build (under `dist`) the run loaded, in load order, with their sizes. */
export function loadedFiles(trace: Trace, dist: string): LoadedFile[] {
  const prefix = `${pathToFileURL(dist).href}/`
  const seen = new Set<string>()
  const files: LoadedFile[] = []
  for (const load of trace.loads) {
    if (!load.url.startsWith(prefix) || seen.has(load.url)) continue
    seen.add(load.url)
    files.push({
      file: load.url.slice(prefix.length),
      bytes: statSync(fileURLToPath(load.url)).size,
      at: load.at
    })
  }
  return files
}

export interface Phases {
  /** Process start → the first line of user code (the preload's; the loader's comes just after). */
  bootstrap: number
  /** The preload's own time: bench overhead, not in a real run. */
  preload: number
  /** The loader loaded → the bundle's first file requested. */
  loader: number
  /** The entry's import: bundle/index.js and its static chunks loaded, compiled and evaluated. */
  entryImport: number
  /** action(): from the end of the entry's evaluation to action()'s promise settling. */
  action: number
  /** Lazy imports inside action() (the engine chunk, the sign-in chunk): load → evaluated. */
  lazyImport: number
  /** action() settled → the 'exit' event. */
  drain: number
  /** Marks: when action() started and ended. */
  actionStart: number
  actionEnd: number
  exit: number
}

/** Merged [start, end] intervals. */
function union(intervals: [number, number][]): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0])
  const merged: [number, number][] = []
  for (const [start, end] of sorted) {
    const last = merged.at(-1)
    if (last && start <= last[1]) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  return merged
}

/**
 * The time spans in which bundle files were being imported: each file's load → the end of its
 * evaluation, merged (a chunk's static imports nest inside it).
 */
export function importSpans(trace: Trace, dist: string): [number, number][] {
  const bundle = `${pathToFileURL(join(dist, 'bundle')).href}/`
  const spans: [number, number][] = []
  for (const load of trace.loads) {
    const evaluated = trace.marks[`evaluated ${load.url}`]
    if (load.url.startsWith(bundle) && evaluated !== undefined) spans.push([load.at, evaluated])
  }
  return union(spans)
}

/** Length of the parts of `spans` inside [from, to]. */
export function overlap(spans: [number, number][], from: number, to: number): number {
  return spans.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, to) - Math.max(a, from)), 0)
}

export function phases(trace: Trace, dist: string): Phases {
  const url = (file: string): string => pathToFileURL(join(dist, file)).href
  const mark = (name: string): number => {
    const value = trace.marks[name]
    if (value === undefined) throw new Error(`trace: no mark "${name}" (did the run finish?)`)
    return value
  }
  const loaderAt = trace.loads.find(l => l.url === url('index.js'))?.at ?? mark('preloadEnd')
  const entry = trace.loads.find(l => l.url === url('bundle/index.js'))
  if (!entry) throw new Error('trace: dist/bundle/index.js was never loaded')
  const actionStart = mark(`evaluated ${entry.url}`)
  const exit = mark('exit')
  // The loader's own evaluation ends when its `await action()` settles.
  const actionEnd = trace.marks[`evaluated ${url('index.js')}`] ?? exit
  const spans = importSpans(trace, dist)
  return {
    bootstrap: mark('preloadStart'),
    preload: mark('preloadEnd') - mark('preloadStart'),
    loader: entry.at - loaderAt,
    entryImport: actionStart - entry.at,
    action: actionEnd - actionStart,
    lazyImport: overlap(spans, actionStart, actionEnd),
    drain: exit - actionEnd,
    actionStart,
    actionEnd,
    exit
  }
}

/** The public built-in modules a run loaded beyond those loaded before user code ran. */
export function builtinsLoaded(trace: Trace): { all: string[]; publicOnes: string[] } {
  const before = new Set(trace.builtinsAtStart)
  const all = trace.builtinsAtExit.filter(m => !before.has(m))
  return { all, publicOnes: all.filter(m => !m.startsWith('internal/')) }
}
