import type { BuildOptions } from 'esbuild'

/** Package name → the stand-in directory in stubs/ that replaces it in the bundle. */
export declare const STAND_INS: Record<
  '@actions/http-client' | '@actions/exec' | '@aws-sdk/credential-provider-node',
  string
>
/** The esbuild options that build dist/bundle into `outdir`. */
export declare function bundleOptions(outdir: string): BuildOptions
