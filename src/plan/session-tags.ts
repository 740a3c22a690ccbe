import { InputError } from '../errors/run-errors.js'
import { named, namedFirst, said } from '../errors/named-inputs.js'

/** A session tag for the chained AssumeRole (the SAML call takes its tags from the IdP). */
export interface SessionTag {
  key: string
  value: string
}

// STS's limits for session tags.
const MAX_TAGS = 50
const MAX_KEY = 128
const MAX_VALUE = 256
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

/**
 * 'role-session-tags': a JSON object of tag names to values (string, number or boolean), as
 * configure-aws-credentials' custom-tags takes them. Validated here so a typo fails before the
 * assertion is spent on a SAML call whose chained call STS would refuse.
 */
export function parseSessionTags(text: string | undefined): SessionTag[] {
  if (text === undefined) return []
  const tagsInput = namedFirst('role-session-tags')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InputError(
      said`${tagsInput} is not valid JSON. Write a JSON object, e.g. {"team": "ops"}.`
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(
      said`${tagsInput} must be a JSON object of tag names to values, e.g. {"team": "ops"}.`
    )
  }
  const tags: SessionTag[] = []
  const seen = new Set<string>()
  for (const [key, raw] of Object.entries(parsed)) {
    const shown = JSON.stringify(key.slice(0, MAX_KEY + 1))
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw new InputError(
        said`${tagsInput}: the value of ${shown} must be a string, number or boolean.`
      )
    }
    const value = String(raw)
    if (key.length < 1 || key.length > MAX_KEY || !TAG_TEXT.test(key)) {
      throw new InputError(
        said`${tagsInput}: tag name ${shown} must be 1-${MAX_KEY} letters, digits, spaces or _.:/=+-@.`
      )
    }
    if (/^aws:/i.test(key)) {
      throw new InputError(said`${tagsInput}: tag name ${shown} uses the reserved prefix aws:.`)
    }
    if (value.length > MAX_VALUE || !TAG_TEXT.test(value)) {
      throw new InputError(
        said`${tagsInput}: the value of ${shown} must be 0-${MAX_VALUE} letters, digits, spaces or _.:/=+-@.`
      )
    }
    // STS compares tag names without regard to case.
    if (seen.has(key.toLowerCase())) {
      throw new InputError(said`${tagsInput}: tag name ${shown} appears twice (names ignore case).`)
    }
    seen.add(key.toLowerCase())
    tags.push({ key, value })
  }
  if (tags.length > MAX_TAGS) {
    throw new InputError(
      said`${tagsInput} has ${tags.length} tags; STS allows at most ${MAX_TAGS}.`
    )
  }
  return tags
}

/**
 * 'transitive-tag-keys': tag names (comma- or newline-separated) that pass on to sessions chained
 * from the chained role. Each must be one of the 'role-session-tags': STS refuses others
 * (configure-aws-credentials drops them silently; a refusal here says which).
 */
export function parseTransitiveTagKeys(text: string | undefined, tags: SessionTag[]): string[] {
  if (text === undefined) return []
  const keys = [
    ...new Set(
      text
        .split(/[,\n]/)
        .map(key => key.trim())
        .filter(key => key !== '')
    )
  ]
  const known = new Set(tags.map(tag => tag.key.toLowerCase()))
  const unknown = keys.filter(key => !known.has(key.toLowerCase()))
  if (unknown.length > 0) {
    const shown = unknown.map(k => JSON.stringify(k.slice(0, MAX_KEY))).join(', ')
    throw new InputError(
      said`${namedFirst('transitive-tag-keys')} names ${shown}, not among the tags of ${named('role-session-tags')}. Add the tag there or remove the name.`
    )
  }
  return keys
}
