const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes `value` as one POSIX shell word.
 *
 * Words made only of characters no shell treats specially stay bare, so rendered scripts
 * read naturally (`/healthz`, `postgres:17`); anything else is single-quoted, the one
 * quoting form in which the shell expands nothing.
 */
export function shellQuote(value: string): string {
    if (SAFE_WORD.test(value)) {
        return value;
    }
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each value with {@link shellQuote} and joins them into one command-line fragment. */
export function shellWords(...values: readonly string[]): string {
    return values.map(shellQuote).join(" ");
}
