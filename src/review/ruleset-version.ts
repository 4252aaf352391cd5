// Its own module so that the poller can name the version without loading the rules.
/** Bump when a rule's behaviour changes: replies are keyed on it. */
export const RULESET_VERSION = "2026.11.2";
