import { Parser } from 'htmlparser2'

/**
 * What a sign-in walker needs from an HTML page: its forms (action, method, fields), its title,
 * a meta refresh, and the text of its error boxes. Everything here is untrusted page content:
 * quote it (log-safety.ts) before printing, and never print field values.
 */
export interface FormField {
  /** input, select, textarea or button. */
  tag: string
  name: string
  /** Lower case; 'text' when missing (as browsers do), 'submit' for a bare <button>. */
  type: string
  value: string
  id?: string
  autocomplete?: string
  /** Checkboxes and radios: only checked ones are sent. */
  checked: boolean
  disabled: boolean
}

export interface HtmlForm {
  /** Resolved against the page (and its <base href>); the page itself when the form has none. */
  action: URL
  method: 'GET' | 'POST'
  id?: string
  name?: string
  fields: FormField[]
}

export interface HtmlPage {
  title: string
  forms: HtmlForm[]
  /** Where <meta http-equiv="refresh" content="0; url=..."> sends the browser. */
  refresh?: URL
  /** Text of elements that look like error messages (class/id with "error", role=alert, ...). */
  errors: string[]
}

const ERROR_MARK = /error|alert|kc-feedback|fail|invalid/i
const SKIP_TEXT = new Set(['script', 'style', 'noscript', 'template'])
const VOID = new Set(['input', 'meta', 'base', 'br', 'img', 'link', 'hr'])

export function readPage(html: string, pageUrl: URL): HtmlPage {
  let base = pageUrl
  let title = ''
  let inTitle = false
  let skipDepth = 0
  let refresh: string | undefined
  const forms: { attribs: Record<string, string>; fields: FormField[] }[] = []
  let form: (typeof forms)[number] | undefined
  let textarea: FormField | undefined
  let select: { field: FormField; chosen: boolean } | undefined
  let option: { value?: string; text: string; selected: boolean } | undefined
  /** Open elements, by name. */
  const stack: { name: string; error: boolean }[] = []
  const errors: string[] = []
  let errorText: string[] | undefined
  let errorDepth = -1

  const addField = (
    tag: string,
    a: Record<string, string>,
    type: string
  ): FormField | undefined => {
    if (!form || a.name === undefined || a.name === '') return undefined
    const field: FormField = {
      tag,
      name: a.name,
      type,
      value: a.value ?? '',
      id: a.id,
      autocomplete: a.autocomplete?.toLowerCase(),
      checked: 'checked' in a,
      disabled: 'disabled' in a
    }
    form.fields.push(field)
    return field
  }

  const parser = new Parser(
    {
      onopentag(name, a) {
        const error =
          ERROR_MARK.test(a.class ?? '') || ERROR_MARK.test(a.id ?? '') || a.role === 'alert'
        if (!VOID.has(name)) stack.push({ name, error })
        if (error && errorText === undefined) {
          // An error icon (<img class="erroricon">) marks the box it sits in.
          errorText = []
          errorDepth = stack.length
        }
        if (SKIP_TEXT.has(name)) skipDepth++
        switch (name) {
          case 'title':
            inTitle = true
            break
          case 'base':
            if (a.href) base = safeUrl(a.href, pageUrl) ?? base
            break
          case 'meta':
            if (a['http-equiv']?.toLowerCase() === 'refresh' && a.content) {
              const match = /url\s*=\s*['"]?([^'"]+)/i.exec(a.content)
              if (match) refresh = match[1]!.trim()
            }
            break
          case 'form':
            form = { attribs: a, fields: [] }
            forms.push(form)
            break
          case 'input':
            addField('input', a, (a.type ?? 'text').toLowerCase())
            break
          case 'button':
            addField('button', a, (a.type ?? 'submit').toLowerCase())
            break
          case 'textarea':
            textarea = addField('textarea', a, 'textarea')
            break
          case 'select': {
            const field = addField('select', a, 'select')
            select = field && { field, chosen: false }
            break
          }
          case 'option':
            option = { value: a.value, text: '', selected: 'selected' in a }
            break
        }
      },
      ontext(text) {
        if (inTitle) title += text
        if (textarea) textarea.value += text
        if (option) option.text += text
        if (errorText && skipDepth === 0) errorText.push(text)
      },
      onclosetag(name) {
        if (SKIP_TEXT.has(name) && skipDepth > 0) skipDepth--
        if (name === 'title') inTitle = false
        if (name === 'textarea') textarea = undefined
        if (name === 'option' && option && select) {
          // The first option counts until one is marked selected, as in a browser.
          if (option.selected || !select.chosen) {
            select.field.value = option.value ?? option.text.trim()
            select.chosen = option.selected
          }
          option = undefined
        }
        if (name === 'select') select = undefined
        if (name === 'form') form = undefined
        if (VOID.has(name)) return
        const at = stack.map(entry => entry.name).lastIndexOf(name)
        if (at < 0) return
        stack.length = at
        if (errorText && stack.length < errorDepth) {
          const text = errorText.join(' ').replace(/\s+/g, ' ').trim()
          if (text) errors.push(text)
          errorText = undefined
          errorDepth = -1
        }
      }
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true }
  )
  parser.end(html)

  return {
    title: title.replace(/\s+/g, ' ').trim(),
    forms: forms.map(({ attribs, fields }) => ({
      action: (attribs.action && safeUrl(attribs.action, base)) || pageUrl,
      method: attribs.method?.toUpperCase() === 'POST' ? 'POST' : 'GET',
      id: attribs.id,
      name: attribs.name,
      fields
    })),
    refresh: refresh === undefined ? undefined : safeUrl(refresh, base),
    errors
  }
}

/**
 * The fields a browser would submit: enabled, named, checked if a checkbox or radio, and of the
 * submit buttons only the one pressed (`submit`, by name; none when undefined). `values` fills or
 * overrides fields by name, and is added when the form has no such field.
 */
export function formBody(
  form: HtmlForm,
  values: Record<string, string> = {},
  submit?: string
): URLSearchParams {
  const body = new URLSearchParams()
  const filled = new Set<string>()
  for (const field of form.fields) {
    if (field.disabled) continue
    if (field.type === 'submit' || field.type === 'image' || field.type === 'button') {
      if (field.name === submit && !filled.has(field.name)) {
        body.append(field.name, field.value)
        filled.add(field.name)
      }
      continue
    }
    if (field.type === 'reset' || field.type === 'file') continue
    if ((field.type === 'checkbox' || field.type === 'radio') && !field.checked) continue
    if (field.name in values) {
      if (filled.has(field.name)) continue
      filled.add(field.name)
      body.append(field.name, values[field.name]!)
      continue
    }
    body.append(field.name, field.value)
  }
  for (const [name, value] of Object.entries(values)) {
    if (!filled.has(name) && name !== submit) body.append(name, value)
  }
  return body
}

function safeUrl(text: string, base: URL): URL | undefined {
  try {
    return new URL(text.trim(), base)
  } catch {
    return undefined
  }
}
