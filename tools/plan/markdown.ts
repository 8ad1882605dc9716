/** Small GitHub-flavoured-markdown helpers shared by the plan renderers. */

/** Renders a table; every cell is escaped so a value can never break the row. */
export function table(headers: string[], rows: string[][]): string {
    const line = (cells: string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
    return [line(headers), `|${headers.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

/** GitHub splits table rows on `|` before it parses code spans, so pipes are escaped even inside code. */
function escapeCell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Inline code that survives backticks in the value. */
export function code(text: string): string {
    const fence = text.includes("`") ? "``" : "`";
    const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
    return `${fence}${pad}${text}${pad}${fence}`;
}

export function truncate(text: string, maxChars: number): string {
    return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}…`;
}

/** Like `truncate`, but starting near `from`, so the part of a long value that changed stays in view. */
export function truncateFrom(text: string, from: number, maxChars: number): string {
    const start = Math.max(0, Math.min(from - 10, text.length - maxChars + 1));
    return start === 0 ? truncate(text, maxChars) : `…${truncate(text.slice(start), maxChars - 1)}`;
}

export function formatUsd(usd: number): string {
    const [whole, cents] = Math.abs(usd).toFixed(2).split(".");
    return `${usd < 0 ? "-" : ""}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents}`;
}

export function formatUsdDelta(usd: number): string {
    const cents = Math.round(usd * 100);
    if (cents === 0) {
        return "±$0.00";
    }
    return cents > 0 ? `+${formatUsd(cents / 100)}` : formatUsd(cents / 100);
}

/**
 * A readable name for a type token: `Droplet` for `digitalocean:index/droplet:Droplet`,
 * `LoadBalancer (component)` for `horizon:digitalocean:LoadBalancer`, so the component and
 * the DigitalOcean resource of the same name stay apart.
 */
export function shortType(type: string): string {
    const parts = type.split(":");
    const name = parts[parts.length - 1];
    switch (parts[0]) {
        case "digitalocean":
            return name;
        case "horizon":
            return `${name} (component)`;
        case "pulumi-nodejs":
            return `${name} (dynamic)`;
        default:
            return parts.length === 3 ? `${name} (${parts[0]})` : type;
    }
}

/**
 * Collapses numbered names into one label per stem: `web-0, web-1, web-2, web-7` becomes
 * `web-{0..2,7}`, so a thousand droplets take one line. Names without a number stay as they are.
 */
export function collapseNames(names: string[]): string[] {
    const stems = new Map<string, number[]>();
    const labels: string[] = [];
    for (const name of names) {
        const match = /^(.*-)(\d+)$/.exec(name);
        if (match === null) {
            labels.push(name);
            continue;
        }
        const numbers = stems.get(match[1]);
        if (numbers === undefined) {
            stems.set(match[1], [Number(match[2])]);
            labels.push(match[1]);
        } else {
            numbers.push(Number(match[2]));
        }
    }
    return labels.map((label) => {
        const numbers = stems.get(label);
        return numbers === undefined ? label : `${label}${ranges(numbers)}`;
    });
}

function ranges(numbers: number[]): string {
    const sorted = [...new Set(numbers)].sort((a, b) => a - b);
    if (sorted.length === 1) {
        return String(sorted[0]);
    }
    const spans: string[] = [];
    let start = sorted[0];
    for (let i = 1; i <= sorted.length; i++) {
        if (i === sorted.length || sorted[i] !== sorted[i - 1] + 1) {
            const end = sorted[i - 1];
            spans.push(start === end ? String(start) : `${start}..${end}`);
            start = sorted[i];
        }
    }
    return spans.length === 1 ? spans[0] : `{${spans.join(",")}}`;
}

/** The name a resource is grouped under: its name without a trailing `-N`. */
export function nameStem(name: string): string {
    return name.replace(/-\d+$/, "-N");
}
