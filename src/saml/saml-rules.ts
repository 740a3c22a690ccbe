/** Rules STS applies to SAML sessions, shared by the pre-flight checks, the inputs and the calls. */

/** Clocks of the IdP and the runner may disagree by this much. */
export const CLOCK_SKEW_MS = 60_000
/** STS is reported to reject assertions redeemed later than this after issue. */
export const REDEMPTION_WINDOW_MS = 5 * 60_000

/** STS's rule for role session names (RoleSessionName attribute, chained sessions). */
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/
