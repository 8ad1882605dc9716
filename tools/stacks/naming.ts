import { UsageError } from "../cli";

/** A pull request number: digits without a leading zero, as GitHub numbers them. */
const PR_NUMBER = /^[1-9][0-9]{0,9}$/;
const REVIEW_STACK = /^pr-([1-9][0-9]{0,9})$/;

/** The stack tags that mark a review stack (Automation API `setTag`). */
export const TAG_REVIEW = "horizon:review";
export const TAG_PR = "horizon:pr";
export const TAG_EXPIRES = "horizon:expires";

/** Parses a pull request number given on the command line. */
export function parsePrNumber(text: string): number {
    if (!PR_NUMBER.test(text)) {
        throw new UsageError(`pull request: ${JSON.stringify(text)} is not a pull request number; use digits like 42`);
    }
    return Number(text);
}

/** `pr-<n>`: the review stack of pull request n. */
export function reviewStackName(pr: number): string {
    return `pr-${pr}`;
}

/** The pull request number a stack name stands for, or undefined for any other stack. */
export function prOfStackName(stack: string): number | undefined {
    const match = REVIEW_STACK.exec(stack);
    return match === null ? undefined : Number(match[1]);
}

/** The resource tag every resource of a review stack carries (`horizon:tags`). */
export function prResourceTag(pr: number): string {
    return `horizon:pr:${pr}`;
}

/** `--closed 12,15`: the closed pull requests; an empty list is allowed. */
export function parsePrList(option: string, text: string): number[] {
    if (text.trim() === "") {
        return [];
    }
    return text.split(",").map((part) => {
        const item = part.trim();
        if (!PR_NUMBER.test(item)) {
            throw new UsageError(`${option}: ${JSON.stringify(item)} is not a pull request number; use a comma-separated list like 12,15`);
        }
        return Number(item);
    });
}
