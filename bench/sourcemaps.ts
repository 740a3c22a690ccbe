/**
 * Source maps for the committed bundle, to attribute its CPU profile: script/bundle-options.mjs
 * (the settings script/package.mjs builds dist/bundle with) rebuilt in memory twice, once as is
 * and once with `sourcemap: 'external'`. The plain rebuild must match dist/bundle byte for byte.
 * The source-mapped one differs only in the chunk file names (esbuild's content hash covers the
 * map), which are the same length, so after renaming it must match too, and its maps' lines and
 * columns hold for dist/bundle.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BuildOptions, Metafile, OutputFile } from 'esbuild'
import { ROOT } from '../__tests__/support/harness.js'
import { listFiles } from './snapshot.js'

const OPTIONS = join(ROOT, 'script', 'bundle-options.mjs')

export interface BundleMaps {
  /** The dist copy to profile: the snapshot itself, or a scratch build when dist/ differs. */
  dist: string
  /** Source map per bundle file name (e.g. index.js, engine-XXXX.js). */
  maps: Map<string, SourceMap>
  /** Directory the maps' `sources` are relative to. */
  sourceRoot: string
  note: string
}

const sha = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex')

/** A chunk's identity across builds: its entry point, or the set of its inputs. */
function outputKeys(meta: Metafile): Map<string, string> {
  const keys = new Map<string, string>()
  for (const [path, output] of Object.entries(meta.outputs)) {
    if (!path.endsWith('.js')) continue
    keys.set(
      basename(path),
      output.entryPoint ?? `inputs:${Object.keys(output.inputs).sort().join('\n')}`
    )
  }
  return keys
}

const jsFiles = (files: OutputFile[]): Map<string, OutputFile> =>
  new Map(files.filter(f => f.path.endsWith('.js')).map(f => [basename(f.path), f]))

/**
 * Maps for the snapshot `dist`; when its bundle is not what the options build (dist/ from another
 * bundler or older sources), a build of the current sources in `scratch` to profile instead.
 */
export async function bundleMaps(dist: string, scratch: string): Promise<BundleMaps | undefined> {
  if (!existsSync(OPTIONS)) return undefined
  const esbuild = await import('esbuild')
  const { bundleOptions } = (await import(pathToFileURL(OPTIONS).href)) as {
    bundleOptions: (outdir: string) => BuildOptions
  }
  const outdir = join(scratch, 'bundle')
  const base = { ...bundleOptions(outdir), write: false, metafile: true }
  const plain = await esbuild.build(base)
  const mapped = await esbuild.build({ ...base, sourcemap: 'external' })
  if (!plain.outputFiles || !mapped.outputFiles || !plain.metafile || !mapped.metafile) {
    throw new Error('source maps: esbuild returned no output files or metafile')
  }
  const mappedFiles = mapped.outputFiles
  const plainJs = jsFiles(plain.outputFiles)
  const mappedJs = jsFiles(mapped.outputFiles)
  const plainKeys = outputKeys(plain.metafile)
  const mappedByKey = new Map([...outputKeys(mapped.metafile)].map(([name, key]) => [key, name]))

  // Plain name → source-mapped name, for every JavaScript output.
  const rename = new Map<string, string>()
  for (const [name, key] of plainKeys) {
    const other = mappedByKey.get(key)
    if (!other || other.length !== name.length) {
      throw new Error(`source maps: no counterpart for ${name} in the source-mapped rebuild`)
    }
    rename.set(name, other)
  }
  const maps = new Map<string, SourceMap>()
  for (const [name, file] of plainJs) {
    const other = mappedJs.get(rename.get(name)!)!
    let text = other.text
    for (const [plainName, mappedName] of rename) text = text.replaceAll(mappedName, plainName)
    if (sha(text) !== sha(file.contents)) {
      throw new Error(`source maps: ${name} differs beyond its chunk names with a source map on`)
    }
    const map = mappedFiles.find(f => f.path === `${other.path}.map`)
    if (!map) throw new Error(`source maps: esbuild wrote no map for ${name}`)
    maps.set(name, new SourceMap(JSON.parse(map.text) as SourceMapPayload))
  }

  const bundleDir = join(dist, 'bundle')
  const distJs = listFiles(bundleDir).filter(f => f.endsWith('.js'))
  const same =
    distJs.length === plainJs.size &&
    distJs.every(f => {
      const built = plainJs.get(f)
      return built !== undefined && sha(readFileSync(join(bundleDir, f))) === sha(built.contents)
    })
  if (same) {
    return {
      dist,
      maps,
      sourceRoot: outdir,
      note:
        `dist/bundle is byte-identical to a rebuild with script/bundle-options.mjs (sha256 of all ${distJs.length} files); ` +
        'source maps from the same rebuild with `sourcemap: "external"` (chunk names renamed back, same length; then identical too).'
    }
  }
  // dist/ is not this build: profile a build of the current sources, with dist/'s loaders.
  const copy = join(scratch, 'dist')
  for (const file of listFiles(dist).filter(f => !f.startsWith(`bundle/`) || !f.endsWith('.js'))) {
    mkdirSync(resolve(copy, file, '..'), { recursive: true })
    writeFileSync(join(copy, file), readFileSync(join(dist, file)))
  }
  mkdirSync(join(copy, 'bundle'), { recursive: true })
  for (const [name, file] of plainJs) writeFileSync(join(copy, 'bundle', name), file.contents)
  return {
    dist: copy,
    maps,
    sourceRoot: outdir,
    note:
      '**dist/bundle is not what script/bundle-options.mjs builds from the current sources** (another bundler, or a stale ' +
      `dist/): this profile is of a scratch build of the current sources (${plainJs.size} files) with dist/'s loaders, ` +
      'not of the committed dist/.'
  }
}

/** What a position in a bundle file came from: an npm package, the project's code, or neither. */
export function sourceOf(
  maps: BundleMaps,
  file: string,
  line: number,
  column: number
): { label: string; kind: string } | undefined {
  const map = maps.maps.get(file)
  if (!map) return undefined
  const entry = map.findEntry(line, column)
  if (!('originalSource' in entry)) return { label: 'esbuild runtime helpers', kind: 'bundler' }
  // bundle-options.mjs's plugin puts each built-in behind a one-line `require` module.
  if (/^builtin:/.test(entry.originalSource)) {
    return { label: 'built-in shims (`require` of node:*)', kind: 'bundler' }
  }
  const source = entry.originalSource.startsWith('file:')
    ? fileURLToPath(entry.originalSource)
    : resolve(maps.sourceRoot, entry.originalSource)
  const path = relative(ROOT, source).replaceAll('\\', '/')
  const at = path.lastIndexOf('node_modules/')
  if (at >= 0) {
    const parts = path.slice(at + 'node_modules/'.length).split('/')
    return {
      label: parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!,
      kind: 'npm package'
    }
  }
  if (path.startsWith('src/')) return { label: 'own code (src/)', kind: 'own code' }
  if (path.startsWith('stubs/')) return { label: 'stand-ins (stubs/)', kind: 'own code' }
  return { label: path, kind: 'other' }
}
