// Drives the /search/ page of a built example site in headless Chromium.
//
//   node tests/tools/search_test.mjs http://127.0.0.1:PORT/
//
// Run by tests/browser.rs, which builds the example site and serves it. Checks that
// typing a member's name lists their page, that a word found nowhere says so, that
// the query is kept in the address, and that the page asks no other host for
// anything. Exits 0 when all holds; otherwise prints what failed and exits 1.

import { launchChromium } from "./browser.mjs";

const TIMEOUT_MS = 10_000;

// A member of example-site/content/members, typed without its capitals so that the
// search must ignore case.
const MEMBER_QUERY = "priya raman";
const MEMBER_URL = "/members/priya-raman/";
// Accents are ignored too: "Sofía Ramírez" is found as "sofia ramirez".
const ACCENT_QUERY = "sofia ramirez";
const ACCENT_URL = "/members/sofia-ramirez/";
const ABSENT_QUERY = "xylophonequartz";
// Full text: a word found only in a post's body, the start of it, and a typo (two
// letters swapped) all find that post, with a snippet marking the word.
const BODY_URL = "/posts/error-handling-in-rust/";
const BODY_QUERIES = ["thiserror", "thiserr", "thiserorr"];
// A one-letter typo of a word many pages hold: the Rust posts come back.
const TYPO_QUERY = "rsut";
const TYPO_URL = "/posts/typed-config-with-serde/";

const failures = [];
const fail = (message) => failures.push(message);

/** Types `query` into the search field the way a person would. */
async function type(page, query) {
  const input = page.getByLabel("Search posts, members and events");
  await input.fill("");
  await input.pressSequentially(query, { delay: 15 });
}

async function expectResultLink(page, query, href) {
  await type(page, query);
  const link = page.locator(`#search-results a[href="${href}"]`);
  try {
    await link.first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
  } catch {
    const status = await page.locator("#search-status").textContent();
    fail(`typing "${query}" showed no link to ${href} (status: "${status}")`);
  }
}

async function main() {
  const base = process.argv[2];
  if (!base) {
    console.error("usage: node search_test.mjs http://127.0.0.1:PORT/");
    process.exit(2);
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
    page.on("console", (message) => {
      if (message.type() === "error") fail(`console error: ${message.text()}`);
    });

    const response = await page.goto(new URL("search/", base).href);
    if (!response || !response.ok()) {
      throw new Error(`GET /search/ answered ${response ? response.status() : "nothing"}`);
    }

    await expectResultLink(page, MEMBER_QUERY, MEMBER_URL);
    const link = page.locator(`#search-results a[href="${MEMBER_URL}"]`).first();
    if (await link.count()) {
      const text = (await link.textContent()).trim();
      if (text !== "Priya Raman") fail(`the result link reads "${text}", not "Priya Raman"`);
    }
    await page.waitForFunction(
      (q) => new URL(location.href).searchParams.get("q") === q,
      MEMBER_QUERY,
    ).catch(() => fail(`the address did not keep ?q=${MEMBER_QUERY}: ${page.url()}`));

    await expectResultLink(page, ACCENT_QUERY, ACCENT_URL);

    for (const query of BODY_QUERIES) {
      await expectResultLink(page, query, BODY_URL);
    }
    const marked = page.locator(`#search-results li:has(a[href="${BODY_URL}"]) .search-snippet mark`);
    const mark = (await marked.count()) ? (await marked.first().textContent()).trim() : "";
    if (mark !== "thiserror") fail(`the snippet for "thiserorr" marks "${mark}", not "thiserror"`);
    await expectResultLink(page, TYPO_QUERY, TYPO_URL);

    await type(page, ABSENT_QUERY);
    const status = page.locator("#search-status");
    try {
      await status.filter({ hasText: `No results for “${ABSENT_QUERY}”` }).waitFor();
    } catch {
      fail(`typing "${ABSENT_QUERY}" did not say "No results" (status: "${await status.textContent()}")`);
    }
    const leftover = await page.locator("#search-results li").count();
    if (leftover !== 0) fail(`"${ABSENT_QUERY}" still lists ${leftover} results`);

    // A shared link: the query in the address is searched on arrival.
    const shared = new URL("search/", base);
    shared.searchParams.set("q", MEMBER_QUERY);
    await page.goto(shared.href);
    await page
      .locator(`#search-results a[href="${MEMBER_URL}"]`)
      .first()
      .waitFor({ state: "visible" })
      .catch(() => fail(`opening ${shared.pathname}${shared.search} listed no link to ${MEMBER_URL}`));
  } finally {
    await browser.close();
  }

  if (failures.length > 0) {
    console.error(`search page: ${failures.length} problem(s):`);
    for (const f of failures) console.error(`- ${f}`);
    process.exit(1);
  }
  console.log("search page: all checks passed");
}

main().catch((error) => {
  console.error(`search page: ${error.stack || error}`);
  process.exit(1);
});
