import { readFile } from 'node:fs/promises'
import { InputError } from '../errors/run-errors.js'
import type { Settings } from '../plan/input-helper.js'

/** The assertion exactly as supplied: the input's text, or the file's bytes. */
export async function readAssertion(source: Settings['assertion']): Promise<string | Buffer> {
  if (source.source === 'input') return source.value
  try {
    return await readFile(source.path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    // A value this long is no path: most likely the assertion itself, which must not be echoed.
    if (source.path.length > 256) {
      throw new InputError(
        `'saml-assertion-file' holds ${source.path.length} characters, which is no file path (${code}). If it is the assertion itself, pass it as 'saml-assertion' instead.`
      )
    }
    throw new InputError(
      `Cannot read 'saml-assertion-file' ${JSON.stringify(source.path)} (${code}). ` +
        'Check the path (absolute, or relative to the working directory: the workspace in a workflow) and that whatever writes the file has run.'
    )
  }
}
