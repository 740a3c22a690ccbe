/**
 * Messages name the inputs they are about, and each host names an input in its own words: the
 * action as the workflow spells it ('role-arn', or Input 'role-arn' opening a sentence), the CLI
 * as its option (--role-arn). So a message keeps its input names apart from its text (a Said),
 * and each host renders it; finished text is never rewritten.
 */

/** An input named in a message. */
export interface InputName {
  readonly input: string
  /** The word the action puts before the name ("Input 'x' must be ..."); the CLI drops it. */
  readonly lead?: 'Input' | 'input'
}

/** A message: text, with the inputs it names kept apart. */
export type Said = ReadonlyArray<string | InputName>

/** How a host names an input. */
export type NameInput = (name: InputName) => string

/** An input named inside a sentence: 'name' in the action's words. */
export function named(name: string): InputName {
  return { input: name }
}

/** An input that opens a sentence: Input 'name' in the action's words. */
export function namedFirst(name: string): InputName {
  return { input: name, lead: 'Input' }
}

/** An input inside a sentence, called one: input 'name' in the action's words. */
export function namedInput(name: string): InputName {
  return { input: name, lead: 'input' }
}

/** A message as a template: said`${namedFirst('profile')} is empty.` */
export function said(
  strings: TemplateStringsArray,
  ...values: Array<string | number | InputName>
): Said {
  const parts: Array<string | InputName> = []
  strings.forEach((text, i) => {
    parts.push(text)
    const value = values[i]
    if (value !== undefined) parts.push(typeof value === 'object' ? value : String(value))
  })
  return parts
}

/**
 * Text written in the action's words ('name') whose named inputs are known: catalog entries list
 * the inputs their texts name. Only those exact names are taken apart.
 */
export function namedIn(text: string, inputs: readonly string[]): Said {
  let parts: Said = [text]
  for (const name of inputs) {
    parts = parts.flatMap(part => {
      if (typeof part !== 'string') return [part]
      const pieces = part.split(`'${name}'`)
      return pieces.flatMap((piece, i) => (i === 0 ? [piece] : [named(name), piece]))
    })
  }
  return parts
}

/** The action's words: 'role-arn', or Input 'role-arn' where the sentence calls it one. */
export const actionName: NameInput = ({ input: name, lead }) =>
  lead ? `${lead} '${name}'` : `'${name}'`

export function render(message: Said, nameInput: NameInput): string {
  return message.map(part => (typeof part === 'string' ? part : nameInput(part))).join('')
}
