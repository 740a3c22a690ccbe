/**
 * An editor for the AWS shared credentials and config files that changes only what it must: every
 * line it does not own is kept byte for byte (comments, blank lines, order, unknown keys, CRLF, a
 * missing final newline, nested values). Lines are classified exactly as Python's configparser
 * (which the AWS CLI and botocore use) classifies them, so "what is a section" agrees with the CLI.
 */

export interface SectionUpdate {
  /** As written between the brackets: 'SAML-PROFILE', 'profile SAML-PROFILE', 'default'. */
  header: string
  entries: Array<[key: string, value: string]>
  /**
   * Keep keys of the existing section that are not in `entries` (their values replaced in place).
   * Off by default: the section then holds exactly `entries`, so no stale token can survive.
   */
  keepOtherKeys?: boolean
}

type Kind = 'blank' | 'comment' | 'header' | 'option' | 'continuation' | 'invalid'

interface Line {
  text: string
  eol: string
  kind: Kind
  /** 1-based, for messages. */
  number: number
  /** header: the raw text between the brackets, as configparser sees it. */
  header?: string
  /** option: lower-cased like configparser's optionxform. */
  key?: string
  value?: string
  /** Index of the header line of the section this line belongs to (-1: before any header). */
  section: number
}

interface Section {
  /** Normalized name used for matching. */
  name: string
  start: number
  /**
   * Last line that is an option, a continuation or garbage: the comments and blank lines after it
   * belong to what follows.
   */
  lastContent: number
}

const PROFILE_NAME = /^[\w+=,.@-]{1,64}$/
const KEY = /^[A-Za-z0-9_][\w.-]*$/

/**
 * A profile name that can go between brackets without changing the meaning of the file: no
 * spaces, brackets or line breaks. 'DEFAULT' is refused because configparser treats [DEFAULT] as
 * defaults for every other section.
 */
export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME.test(name) && name !== 'DEFAULT'
}

/** Python's str.isspace(): JavaScript's \s plus the separators 0x1c-0x1f and NEL, minus the BOM. */
function isPySpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x20) ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  )
}

/**
 * Python's str.strip(). Unlike String.prototype.trim it keeps a byte order mark, which is why a
 * file saved with one fails to parse in the AWS CLI, and must fail validateIni too. (A loop: a
 * regex anchored at the end would scan every position of every line of a multi-megabyte file.)
 */
function pyStrip(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && isPySpace(text.charCodeAt(start))) start++
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--
  return text.slice(start, end)
}

/** `[ profile  x ]` and `[profile x]` name the same profile for the AWS CLI. */
function normalizeHeader(header: string): string {
  return pyStrip(header).replace(/[ \t]+/g, ' ')
}

/** The lines, not yet classified. */
function splitLines(text: string): Line[] {
  const lines: Line[] = []
  // Every field up front: one object shape for all lines keeps this fast on multi-megabyte files.
  const add = (line: string, eol: string): void => {
    const number = lines.length + 1
    lines.push({
      text: line,
      eol,
      kind: 'blank',
      number,
      section: -1,
      header: undefined,
      key: undefined,
      value: undefined
    })
  }
  // Python reads text files with universal newlines: a lone CR ends a line too. indexOf rather
  // than a regex: this runs over every line of files that can be megabytes long.
  let lf = text.indexOf('\n')
  let cr = text.indexOf('\r')
  let from = 0
  while (from < text.length) {
    if (lf !== -1 && lf < from) lf = text.indexOf('\n', from)
    if (cr !== -1 && cr < from) cr = text.indexOf('\r', from)
    const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf)
    if (end === -1) {
      add(text.slice(from), '')
      break
    }
    const eol = end === cr ? (lf === cr + 1 ? '\r\n' : '\r') : '\n'
    add(text.slice(from, end), eol)
    from = end + eol.length
  }
  return lines
}

/** configparser's _read, line by line, with RawConfigParser's defaults ('#' ';' '=' ':'). */
function classify(text: string): Line[] {
  const lines = splitLines(text)
  let section = -1
  let optionOpen = false
  let indentLevel = 0
  for (const [index, line] of lines.entries()) {
    line.section = section
    const value = pyStrip(line.text)
    if (value.startsWith('#') || value.startsWith(';')) {
      line.kind = 'comment'
      continue
    }
    if (value === '') continue
    let indent = 0
    while (isPySpace(line.text.charCodeAt(indent))) indent++
    if (section >= 0 && optionOpen && indent > indentLevel) {
      line.kind = 'continuation'
      line.value = value
      continue
    }
    indentLevel = indent
    const header = /^\[(.+)\]/s.exec(value)
    if (header) {
      line.kind = 'header'
      line.header = header[1]
      section = index
      line.section = index
      optionOpen = false
      continue
    }
    const option = /^(.*?)\s*([=:])\s*(.*)$/s.exec(value)
    if (section < 0 || !option?.[1]) {
      line.kind = 'invalid'
      continue
    }
    line.kind = 'option'
    line.key = option[1].trimEnd().toLowerCase()
    line.value = option[3] ?? ''
    optionOpen = true
  }
  return lines
}

function sectionsOf(lines: Line[]): Section[] {
  const sections: Section[] = []
  for (const [index, line] of lines.entries()) {
    if (line.kind === 'header') {
      sections.push({ name: normalizeHeader(line.header ?? ''), start: index, lastContent: index })
    } else if (line.kind !== 'blank' && line.kind !== 'comment') {
      const current = sections.at(-1)
      if (current && line.section === current.start) current.lastContent = index
    }
  }
  return sections
}

/** The values of a section's options, joined over continuation lines like configparser does. */
function entriesOf(lines: Line[], section: Section): Map<string, string> {
  const entries = new Map<string, string>()
  let key: string | undefined
  let parts: string[] = []
  const flush = (): void => {
    if (key !== undefined) entries.set(key, parts.join('\n').trimEnd())
  }
  for (let i = section.start + 1; i < lines.length && lines[i]?.kind !== 'header'; i++) {
    const line = lines[i]!
    if (line.kind === 'option') {
      flush()
      key = line.key
      parts = [line.value ?? '']
    } else if (line.kind === 'continuation') {
      parts.push(line.value ?? '')
    } else if (line.kind === 'blank' && key !== undefined) {
      parts.push('')
    }
  }
  flush()
  return entries
}

function detectEol(text: string): string {
  return /\r\n|\n|\r/.exec(text)?.[0] ?? '\n'
}

function checkUpdate(update: SectionUpdate): string {
  const name = normalizeHeader(update.header)
  if (name === '' || /[[\]\r\n]/.test(name)) {
    throw new Error(`Invalid section header ${JSON.stringify(name.slice(0, 80))}`)
  }
  for (const [key, value] of update.entries) {
    if (!KEY.test(key)) {
      throw new Error(`Invalid key ${JSON.stringify(key.slice(0, 80))} in [${name}]`)
    }
    // The value is usually a secret: name only the key.
    if (/[\r\n]/.test(value)) {
      throw new Error(`The value for ${key} in [${name}] contains a line break`)
    }
  }
  return name
}

/** Accumulates edits against the original lines, then renders them. */
class Editor {
  readonly drop: boolean[]
  readonly before = new Map<number, string[]>()
  readonly after = new Map<number, string[]>()

  constructor(
    readonly original: string,
    readonly lines: Line[]
  ) {
    this.drop = lines.map(() => false)
  }

  insertBefore(index: number, texts: string[]): void {
    this.before.set(index, [...(this.before.get(index) ?? []), ...texts])
  }

  insertAfter(index: number, texts: string[]): void {
    this.after.set(index, [...(this.after.get(index) ?? []), ...texts])
  }

  /** Remove a whole section and the blank lines that separated it, so no gap is left behind. */
  removeSection(section: Section): void {
    for (let i = section.start; i <= section.lastContent; i++) this.drop[i] = true
    let keptBefore = false
    for (let i = section.start - 1; i >= 0; i--) {
      const line = this.lines[i]!
      if (this.drop[i]) continue
      if (line.kind !== 'blank') {
        keptBefore = true
        break
      }
      this.drop[i] = true
    }
    if (keptBefore) return
    // At the top of the file: take the blank lines after it instead.
    for (let i = section.lastContent + 1; this.lines[i]?.kind === 'blank'; i++) this.drop[i] = true
  }

  render(appended: string[][]): string {
    const eol = detectEol(this.original)
    const out: Array<{ text: string; eol: string }> = []
    for (const [i, line] of this.lines.entries()) {
      for (const text of this.before.get(i) ?? []) out.push({ text, eol })
      if (!this.drop[i]) out.push({ text: line.text, eol: line.eol })
      for (const text of this.after.get(i) ?? []) out.push({ text, eol })
    }
    for (const block of appended) {
      const last = out.at(-1)
      if (last && out.some(line => pyStrip(line.text) !== '') && pyStrip(last.text) !== '') {
        out.push({ text: '', eol })
      }
      for (const text of block) out.push({ text, eol })
    }
    // Only the last line may lack a line ending, and it keeps the original's choice.
    for (const line of out.slice(0, -1)) if (line.eol === '') line.eol = eol
    const last = out.at(-1)
    if (last) {
      last.eol = this.original !== '' && !/[\r\n]$/.test(this.original) ? '' : last.eol || eol
    }
    return out.map(line => line.text + line.eol).join('')
  }
}

/** The option line at `index` and its continuation lines. */
function optionSpan(lines: Line[], index: number): number[] {
  const span = [index]
  for (let i = index + 1; i < lines.length; i++) {
    const kind = lines[i]!.kind
    if (kind === 'continuation') span.push(i)
    else if (kind !== 'blank' && kind !== 'comment') break
  }
  return span
}

function replaceSection(editor: Editor, section: Section, update: SectionUpdate): void {
  const { lines, drop } = editor
  const fresh = new Map(
    update.entries.map(([key, value]) => [key.toLowerCase(), `${key} = ${value}`])
  )
  if (update.keepOtherKeys) {
    const seen = new Set<string>()
    for (let i = section.start + 1; i <= section.lastContent; i++) {
      const line = lines[i]!
      const text = line.key === undefined ? undefined : fresh.get(line.key)
      if (line.kind !== 'option' || text === undefined) continue
      for (const j of optionSpan(lines, i)) drop[j] = true
      if (!seen.has(line.key!)) editor.insertBefore(i, [text])
      seen.add(line.key!)
    }
    const missing = [...fresh].filter(([key]) => !seen.has(key)).map(([, text]) => text)
    editor.insertAfter(section.lastContent, missing)
    return
  }
  // Exactly the given entries: every option, continuation and garbage line goes; comments stay.
  let at: number | undefined
  for (let i = section.start + 1; i <= section.lastContent; i++) {
    if (lines[i]!.kind === 'comment') continue
    if (lines[i]!.kind !== 'blank') at ??= i
    drop[i] = true
  }
  const texts = [...fresh.values()]
  if (at === undefined) editor.insertAfter(section.start, texts)
  else editor.insertBefore(at, texts)
}

/**
 * Replace each named section in place (at its first occurrence) or append it; later duplicates of
 * a named section (left by appending tools) are removed, which heals the file.
 */
export function upsertSections(text: string, updates: SectionUpdate[]): string {
  const names = updates.map(checkUpdate)
  if (new Set(names).size !== names.length) throw new Error('The same section is named twice')
  const lines = classify(text)
  const sections = sectionsOf(lines)
  const editor = new Editor(text, lines)
  const appended: string[][] = []
  for (const [i, update] of updates.entries()) {
    const name = names[i]!
    const [first, ...duplicates] = sections.filter(section => section.name === name)
    if (!first) {
      appended.push([`[${name}]`, ...update.entries.map(([key, value]) => `${key} = ${value}`)])
      continue
    }
    replaceSection(editor, first, update)
    duplicates.forEach(duplicate => editor.removeSection(duplicate))
  }
  return editor.render(appended)
}

/**
 * Remove every occurrence of the named sections, except those for which keep() returns true.
 * `removed` lists each header of which at least one occurrence went.
 */
export function removeSections(
  text: string,
  headers: string[],
  keep?: (header: string, entries: Map<string, string>) => boolean
): { text: string; removed: string[] } {
  const wanted = new Set(headers.map(normalizeHeader))
  const lines = classify(text)
  const editor = new Editor(text, lines)
  const removed = new Set<string>()
  for (const section of sectionsOf(lines)) {
    if (!wanted.has(section.name)) continue
    if (keep?.(section.name, entriesOf(lines, section))) continue
    editor.removeSection(section)
    removed.add(section.name)
  }
  if (removed.size === 0) return { text, removed: [] }
  return { text: editor.render([]), removed: [...removed] }
}

/** The names of the file's sections, in order, each once. */
export function sectionNames(text: string): string[] {
  return [...new Set(sectionsOf(classify(text)).map(section => section.name))]
}

/** The keys of a section (every occurrence, the last value winning), or undefined when absent. */
export function sectionEntries(text: string, header: string): Map<string, string> | undefined {
  const name = normalizeHeader(header)
  const lines = classify(text)
  let entries: Map<string, string> | undefined
  for (const section of sectionsOf(lines)) {
    if (section.name !== name) continue
    entries ??= new Map()
    for (const [key, value] of entriesOf(lines, section)) entries.set(key, value)
  }
  return entries
}

/** False when nothing but whitespace and comments is left. */
export function hasContent(text: string): boolean {
  return classify(text).some(line => line.kind !== 'blank' && line.kind !== 'comment')
}

/** A name from the file, safe to show. Values and garbage lines may hold secrets: never those. */
function shown(name: string): string {
  return /^[\w+=,.@ -]{1,80}$/.test(name) ? name : '(a name with unusual characters)'
}

/**
 * Undefined when the AWS CLI would parse the text; otherwise why not. The reason names lines,
 * sections and keys, never values.
 */
export function validateIni(text: string): string | undefined {
  const lines = classify(text)
  const sections = new Map<string, number>()
  const keys = new Map<string, number>()
  for (const line of lines) {
    if (line.kind === 'invalid') {
      if (line.number === 1 && line.text.startsWith('\ufeff')) {
        return 'line 1: the file starts with a byte order mark (BOM), which the AWS CLI cannot parse'
      }
      return line.section < 0
        ? `line ${line.number}: a key or text outside any [section]`
        : `line ${line.number}: malformed line (neither a [section] header nor key = value)`
    }
    if (line.kind === 'header') {
      const header = line.header ?? ''
      const first = sections.get(header)
      // configparser merges repeated [DEFAULT] sections; any other repeat is fatal.
      if (first !== undefined && header !== 'DEFAULT') {
        return `line ${line.number}: duplicate section [${shown(header)}] (first at line ${first})`
      }
      sections.set(header, line.number)
    }
    if (line.kind === 'option') {
      const header = lines[line.section]?.header ?? ''
      const id = `${header}\n${line.key}`
      const first = keys.get(id)
      if (first !== undefined) {
        return `line ${line.number}: duplicate key '${shown(line.key ?? '')}' in [${shown(header)}] (first at line ${first})`
      }
      keys.set(id, line.number)
    }
  }
  return nestedProblem(lines)
}

/** botocore parses a value that starts on the next line as `key = value` pairs, one per line. */
function nestedProblem(lines: Line[]): string | undefined {
  for (const [i, line] of lines.entries()) {
    if (line.kind !== 'option' || line.value !== '') continue
    for (const j of optionSpan(lines, i).slice(1)) {
      const nested = lines[j]!
      if (!nested.value?.includes('=')) {
        return `line ${nested.number}: nested value line without '=' under '${shown(line.key ?? '')}'`
      }
    }
  }
  return undefined
}
