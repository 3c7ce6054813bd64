// Errors that end a run with exit code 2 and one line on stderr (no stack trace): the tool could
// not do the job because of its input, not because of a bug.
export class UserError extends Error {}

/** A bad command line. */
export class UsageError extends UserError {}

/** A configuration, baseline or suppression file that cannot be used. */
export class ConfigError extends UserError {}

/** A report or baseline that cannot be written. */
export class OutputError extends UserError {}
