// Headless Chromium for hearth's browser tests: Debian's /usr/bin/chromium driven by
// playwright-core (never a browser download), with the flags this machine needs.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts Chromium, or exits with code 2 and an install hint. */
export async function launchChromium() {
  let playwright;
  try {
    playwright = require("playwright-core");
  } catch (error) {
    console.error(
      `playwright-core is not installed in tests/tools/node_modules (${error.message}):\n` +
        "run `npm ci --prefix tests/tools` (or `bash .ci/run`)",
    );
    process.exit(2);
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install chromium\` (or \`bash .ci/run\`)`);
    process.exit(2);
  }
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}
