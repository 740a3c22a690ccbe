#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { runCli } from './cli.js'

const code = await runCli(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  readStdin: () => readFileSync(0, 'utf8'),
  env: process.env,
  version: '1.0.0'
})
process.exitCode = code
