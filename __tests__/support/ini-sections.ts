/**
 * A plain reader of credentials and config files for tests, written apart from src/aws-files/ini.ts
 * so a test does not check the editor with its own parser: header (inner blanks collapsed) ->
 * key (lower-cased) -> value, continuation lines joined with '\n', the last occurrence winning.
 * Enough for the files the tests write; the AWS CLI itself is the reference in e2e.
 */
export function readSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>()
  let entries: Map<string, string> | undefined
  let key: string | undefined
  let keyIndent = 0
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue
    const indent = line.length - line.trimStart().length
    if (entries && key !== undefined && indent > keyIndent) {
      entries.set(key, `${entries.get(key)}\n${trimmed}`)
      continue
    }
    const header = /^\[(.+)\]/.exec(trimmed)
    if (header) {
      const name = header[1]!.trim().replace(/[ \t]+/g, ' ')
      entries = sections.get(name) ?? new Map<string, string>()
      sections.set(name, entries)
      key = undefined
      continue
    }
    const option = /^(.*?)\s*[=:]\s*(.*)$/.exec(trimmed)
    if (!entries || !option) continue
    key = option[1]!.toLowerCase()
    keyIndent = indent
    entries.set(key, option[2]!)
  }
  return sections
}
