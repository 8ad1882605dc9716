import * as http from "node:http";
import { parsePort } from "./config";

/**
 * The container's HEALTHCHECK: exit 0 when this replica's /health answers 200 within the
 * timeout, 1 otherwise. Node itself runs it, so the runtime image needs no curl.
 */

const TIMEOUT_MS = 3000;

const req = http.get({ host: "127.0.0.1", port: parsePort(process.env.PORT), path: "/health", agent: false }, (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
});
req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
req.on("error", (err) => {
    process.stderr.write(`health check failed: ${err.message}\n`);
    process.exit(1);
});
