// The esbuild settings behind dist/bundle, in one place: script/package.mjs builds dist with them,
// and the bench rebuilds the identical JavaScript with a source map to attribute its profile.
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')

/**
 * Packages the bundle replaces with the stand-ins in stubs/, because nothing this action calls
 * reaches them: @actions/core imports http-client only for getIDToken (OIDC; the real one pulls in
 * undici, ~430 KB and ~70 ms of start-up) and exec only for platform.getDetails (child_process,
 * @actions/io); the STS client imports the default credential chain, which is used only by a
 * client given no credentials (every client here is given them: see sts/sts-client.ts).
 * Development and tests keep the real packages; __tests__/unit/stand-ins.test.ts fails when the
 * importers start to need more of them.
 */
export const STAND_INS = {
  '@actions/http-client': join(ROOT, 'stubs', 'actions-http-client'),
  '@actions/exec': join(ROOT, 'stubs', 'actions-exec'),
  '@aws-sdk/credential-provider-node': join(ROOT, 'stubs', 'aws-credential-provider-node')
}

/** Resolves a stood-in package, and its subpaths, through the stand-in's own `exports`. */
const standInPlugin = {
  name: 'stand-ins',
  setup(build) {
    const names = Object.keys(STAND_INS).map(name => name.replace('/', '\\/'))
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})(/.*)?$`) }, ({ path }) => {
      const name = Object.keys(STAND_INS).find(n => path === n || path.startsWith(`${n}/`))
      const dir = STAND_INS[name]
      const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      const target = exports[`.${path.slice(name.length)}`]
      if (!target)
        return { errors: [{ text: `the stand-in for ${name} has no export for ${path}` }] }
      return { path: join(dir, target) }
    })
  }
}

/**
 * Built-in modules are taken with process.getBuiltinModule() (what require() returns), never
 * imported, by ES modules and CommonJS ones alike. Importing a built-in from ESM builds its
 * ES-module facade, which reads every export once, and some exports are lazy getters that load
 * more: `node:http`'s facade loads all of undici (about 25 ms) for its WebSocket exports.
 */
const builtinsWithoutFacades = {
  name: 'builtins-without-facades',
  setup(build) {
    const names = builtinModules
      .filter(name => !name.startsWith('_'))
      .map(n => n.replace(/[/]/g, '\\/'))
    build.onResolve({ filter: new RegExp(`^(node:)?(${names.join('|')})$`) }, ({ path }) => ({
      path: path.replace(/^node:/, ''),
      namespace: 'builtin'
    }))
    // A plain-object module (fs, crypto, http...) is handed on as an object that inherits from it:
    // esbuild's interop copies every own property of a CommonJS module into a namespace object
    // (~8 ms for the ~700 properties of the built-ins a run loads), and this one has none. That is
    // safe because such modules' functions never use `this` (destructuring them is the norm). Any
    // other module is handed on as it is: functions (events, stream, assert) must stay callable,
    // and process, console and cluster have methods bound to the object itself.
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => ({
      contents: `const m = process.getBuiltinModule('node:${path}')
module.exports = Object.getPrototypeOf(m) === Object.prototype ? Object.create(m) : m`,
      loader: 'js'
    }))
  }
}

/**
 * ESM for Node 24, split at the dynamic imports (the engine with the AWS SDK, the IdP sign-in),
 * so a run loads only the chunks it uses. The SDK's ES-module build (`module`) is preferred: it
 * tree-shakes, where its CommonJS build is one file per package. Output is ASCII only, so V8 keeps
 * each file as a one-byte string (a two-byte bundle costs a decode and twice the memory).
 * @param {string} outdir
 * @returns {import('esbuild').BuildOptions}
 */
export function bundleOptions(outdir) {
  return {
    absWorkingDir: ROOT,
    entryPoints: { index: join(ROOT, 'src', 'entry.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    plugins: [standInPlugin, builtinsWithoutFacades],
    minify: true,
    charset: 'ascii',
    legalComments: 'none',
    chunkNames: '[name]-[hash]',
    logLevel: 'warning'
  }
}
