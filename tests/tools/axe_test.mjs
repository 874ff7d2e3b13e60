// Runs axe-core (from tests/tools/node_modules, injected into the page: no
// network) over one page of every type of a built example site, at a desk and a
// phone width, in the light and the dark scheme.
//
//   node tests/tools/axe_test.mjs http://127.0.0.1:PORT/
//
// Run by tests/browser.rs. Exits 0 when axe reports no violation anywhere;
// otherwise prints each violation with the page, width, scheme and elements.

import { createRequire } from "node:module";
import { launchChromium } from "./browser.mjs";

const require = createRequire(import.meta.url);

// One page of each type; the example site has all of them.
const PAGES = [
  "",
  "posts/",
  "posts/error-handling-in-rust/",
  "posts/polars-in-practice/",
  "events/",
  "events/winter-rust-night/",
  "events/coffee-and-code/",
  "members/",
  "members/priya-raman/",
  "tags/",
  "tags/rust/",
  "about/",
  "newsletter/",
  "newsletter/1/",
  "search/?q=rsut",
  "no-such-page/",
];
const WIDTHS = [1280, 375];
const SCHEMES = ["light", "dark"];

async function main() {
  const base = process.argv[2];
  if (!base) {
    console.error("usage: node axe_test.mjs http://127.0.0.1:PORT/");
    process.exit(2);
  }
  let axeSource;
  try {
    axeSource = require("fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  } catch (error) {
    console.error(`axe-core is not installed in tests/tools/node_modules (${error.message}): run \`npm ci --prefix tests/tools\``);
    process.exit(2);
  }
  const browser = await launchChromium();
  const problems = [];
  let checked = 0;
  try {
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const path of PAGES) {
          const url = new URL(path, base).href;
          // The 404 page is served as 404.html by a real host.
          const target = path === "no-such-page/" ? new URL("404.html", base).href : url;
          const response = await page.goto(target);
          if (!response || !response.ok()) {
            problems.push(`${path} answered ${response ? response.status() : "nothing"}`);
            continue;
          }
          if (path.startsWith("search/")) {
            await page.locator("#search-results li").first().waitFor({ timeout: 10_000 }).catch(() => {});
          }
          await page.addScriptTag({ content: axeSource });
          const result = await page.evaluate(() =>
            // eslint-disable-next-line no-undef
            axe.run(document, { resultTypes: ["violations"] }),
          );
          checked += 1;
          for (const violation of result.violations) {
            const nodes = violation.nodes
              .slice(0, 5)
              .map((n) => `      ${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`)
              .join("\n");
            problems.push(`/${path} at ${width}px, ${scheme}: ${violation.id} (${violation.impact}): ${violation.help}\n${nodes}`);
          }
        }
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  if (problems.length > 0) {
    console.error(`axe: ${problems.length} violation(s) over ${checked} page views:`);
    for (const p of problems) console.error(`- ${p}`);
    process.exit(1);
  }
  console.log(`axe: no violations on ${checked} page views`);
}

main().catch((error) => {
  console.error(`axe: ${error.stack || error}`);
  process.exit(1);
});
