// Watches an open tab of `hearth serve` follow edits of the site, in headless Chromium.
//
//   node tests/tools/live_reload_test.mjs http://127.0.0.1:PORT/ SITE_DIR
//
// Run by tests/serve.rs, which serves a copy of tests/fixtures/serve (with the
// theme's style.css copied to SITE_DIR/static/style.css). The script opens one post
// and never navigates again; the page must follow by itself:
//   1. a paragraph added to the post's markdown shows up;
//   2. broken front matter shows the error overlay, naming the file;
//   3. the fixed file removes the overlay and shows the fixed content;
//   4. an edited stylesheet applies without reloading the page.
// It also checks that the page asks no other host for anything. Exits 0 when all
// holds; otherwise prints what failed and exits 1.

import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { launchChromium } from "./browser.mjs";
import { join } from "node:path";

// A safety bound for each wait, not an expectation of how fast a rebuild is.
const TIMEOUT_MS = 20_000;

const POST_FILE = "content/posts/2026-11-01-first.md";
const POST_NAME = "2026-11-01-first.md";
const POST_URL = "posts/first/";
const TITLE_LINE = 'title = "First post"';
const OVERLAY = "hearth-error-overlay";
const OUTLINE = "rgb(1, 2, 3)";

const failures = [];
const fail = (message) => failures.push(message);

/** Waits until `fn(arg)` is true in the page; records `message` if it never is. */
async function expectInPage(page, message, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: TIMEOUT_MS, polling: 50 });
    return true;
  } catch (error) {
    fail(`${message} (${error.message.split("\n")[0]})`);
    return false;
  }
}

const bodyHas = (text) => document.body !== null && document.body.innerText.includes(text);

async function main() {
  const [base, siteDir] = process.argv.slice(2);
  if (!base || !siteDir) {
    console.error("usage: node live_reload_test.mjs http://127.0.0.1:PORT/ SITE_DIR");
    process.exit(2);
  }
  const postPath = join(siteDir, POST_FILE);
  const cssPath = join(siteDir, "static/style.css");
  const original = readFileSync(postPath, "utf8");
  if (!original.includes(TITLE_LINE)) {
    throw new Error(`${POST_FILE} has no line ${TITLE_LINE}`);
  }

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);

    const allowedHost = new URL(base).host;
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.protocol !== "data:" && url.host !== allowedHost) {
        fail(`the page requested another host: ${request.url()}`);
      }
    });
    page.on("pageerror", (error) => fail(`script error on the page: ${error.message}`));

    // The event stream must be open before the first edit, or its event is missed.
    const stream = page.waitForResponse((r) => r.url().includes("/__hearth/events"));
    const response = await page.goto(new URL(POST_URL, base).href);
    if (!response || !response.ok()) {
      throw new Error(`GET /${POST_URL} answered ${response ? response.status() : "nothing"}`);
    }
    await stream;

    // 1. An added paragraph shows up in the open tab.
    const added = `Added while serving ${Date.now()}`;
    appendFileSync(postPath, `\n${added}\n`);
    await expectInPage(page, `the open tab never showed "${added}"`, bodyHas, added);

    // 2. Broken front matter: the overlay names the file.
    const edited = readFileSync(postPath, "utf8");
    writeFileSync(postPath, edited.replace(TITLE_LINE, "title = "));
    const shown = await expectInPage(
      page,
      `no #${OVERLAY} appeared for broken front matter`,
      (id) => document.getElementById(id) !== null,
      OVERLAY,
    );
    if (shown) {
      const text = await page.locator(`#${OVERLAY}`).innerText();
      if (!text.includes("content/posts/") || !text.includes(POST_NAME)) {
        fail(`the overlay does not name ${POST_FILE}: ${JSON.stringify(text)}`);
      }
    }

    // 3. The fixed file: the page reloads, the overlay is gone, the fix shows.
    const fixed = `Fixed while serving ${Date.now()}`;
    writeFileSync(postPath, `${edited}\n${fixed}\n`);
    await expectInPage(
      page,
      `after the fix the overlay stayed or "${fixed}" never showed`,
      ([id, text]) =>
        document.getElementById(id) === null &&
        document.body !== null &&
        document.body.innerText.includes(text),
      [OVERLAY, fixed],
    );

    // 4. A stylesheet edit applies in place: the page is not reloaded.
    await page.waitForLoadState("load");
    await page.evaluate(() => {
      window.__marker = 1;
    });
    const before = await page.evaluate(() => getComputedStyle(document.body).outlineColor);
    if (before === OUTLINE) fail(`the body's outline is ${OUTLINE} before the stylesheet edit`);
    appendFileSync(cssPath, `\nbody{outline:3px solid ${OUTLINE}}\n`);
    const applied = await expectInPage(
      page,
      `the stylesheet edit never applied (outline color stayed ${before})`,
      (color) => getComputedStyle(document.body).outlineColor === color,
      OUTLINE,
    );
    if (applied) {
      const marker = await page.evaluate(() => window.__marker);
      if (marker !== 1) fail("the page reloaded for a stylesheet edit instead of swapping it");
    }
  } finally {
    await browser.close();
  }

  if (failures.length > 0) {
    console.error(`live reload: ${failures.length} problem(s):`);
    for (const f of failures) console.error(`- ${f}`);
    process.exit(1);
  }
  console.log("live reload: all checks passed");
}

main().catch((error) => {
  console.error(`live reload: ${error.stack || error}`);
  process.exit(1);
});
