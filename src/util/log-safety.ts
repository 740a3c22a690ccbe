/**
 * Text from the assertion (NameID, attributes, issuer) is attacker-controlled. Printed raw at the
 * start of a line it could be read by the runner as a workflow command (`::set-env`, `::add-mask`),
 * so it is only ever printed quoted: JSON escaping removes line breaks and the leading quote
 * keeps `::` off the start of the line.
 */
export function quote(untrusted: string | undefined): string {
  if (untrusted === undefined) return '(none)'
  const limited = untrusted.length > 300 ? `${untrusted.slice(0, 300)}…` : untrusted
  return JSON.stringify(limited)
}

/** Escape a value for a Markdown/HTML table cell in the job summary. */
export function summaryCell(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/[\r\n]+/g, ' ')
}
