/*
 * hearth — search in the browser, for the /search/ page (templates/search.html).
 *
 * Loads the index named by the form's data-index (search.json, see
 * src/outputs/search.rs for its keys) once, then searches as the reader types.
 * A result must contain every word of the query in its title, summary, tags,
 * role or date, ignoring case and accents; title matches rank first. The query
 * lives in the address as ?q= so a search can be shared, and so the form works
 * without this script too.
 *
 * Everything from the index reaches the page through textContent and
 * setAttribute only, never as HTML.
 */
"use strict";

(() => {
  const MAX_RESULTS = 20;
  const DEBOUNCE_MS = 120;
  const KIND_LABELS = { post: "Post", member: "Member", event: "Event" };

  const form = document.querySelector("form.search-form[data-index]");
  const input = document.getElementById("search-input");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;

  /** Lower case, accents and other combining marks removed: "Sofía" -> "sofia". */
  const fold = (text) =>
    text.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase();

  const words = (query) => fold(query).split(/\s+/).filter(Boolean);

  /** Index items with their folded fields, built once. */
  let entries = null;
  let loadFailed = false;

  const prepare = (item) => ({
    item,
    title: fold(item.t || ""),
    other: fold([item.s, item.r, item.d, ...(item.g || [])].filter(Boolean).join("\n")),
    tags: (item.g || []).map(fold),
  });

  /** Items holding every word, best first; the index order breaks ties. */
  const search = (terms) => {
    const hits = [];
    entries.forEach((entry, position) => {
      let score = 0;
      for (const term of terms) {
        if (entry.title.includes(term)) score += 4;
        else if (entry.tags.includes(term)) score += 2;
        else if (entry.other.includes(term)) score += 1;
        else return;
      }
      hits.push({ entry, score, position });
    });
    hits.sort((a, b) => b.score - a.score || a.position - b.position);
    return hits.map((hit) => hit.entry.item);
  };

  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  };

  /** One result, shaped like the theme's cards. */
  const resultItem = (item) => {
    const card = element("article", "card search-result");
    const kind = element("p", "search-kind", KIND_LABELS[item.k] || item.k);
    if (item.x) kind.append(" ", element("span", "pill pill-cancelled", "Cancelled"));
    card.append(kind);

    const heading = element("h2", "card-title");
    const link = element("a", "", item.t);
    link.setAttribute("href", item.u);
    heading.append(link);
    card.append(heading);

    const meta = [item.r, item.d].filter(Boolean).join(" · ");
    if (meta) card.append(element("p", "meta", meta));
    if (item.s) card.append(element("p", "search-summary", item.s));

    const li = document.createElement("li");
    li.append(card);
    return li;
  };

  const show = (query) => {
    const terms = words(query);
    list.replaceChildren();
    if (terms.length === 0) {
      status.textContent = "";
      return;
    }
    if (loadFailed) {
      status.textContent = "Search is unavailable: the search index could not be loaded.";
      return;
    }
    if (!entries) {
      status.textContent = "Loading the search index…";
      return;
    }
    const results = search(terms);
    const shown = results.slice(0, MAX_RESULTS);
    list.append(...shown.map(resultItem));
    const quoted = `“${query.trim()}”`;
    if (results.length === 0) {
      status.textContent = `No results for ${quoted}.`;
    } else if (results.length > shown.length) {
      status.textContent = `Showing the first ${shown.length} of ${results.length} results for ${quoted}.`;
    } else {
      const noun = results.length === 1 ? "result" : "results";
      status.textContent = `${results.length} ${noun} for ${quoted}.`;
    }
  };

  /** Keeps ?q= in the address without adding a history entry per keystroke. */
  const remember = (query) => {
    const url = new URL(window.location.href);
    if (query.trim()) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    if (url.href !== window.location.href) history.replaceState(history.state, "", url);
  };

  const update = () => {
    show(input.value);
    remember(input.value);
  };

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    update();
  });

  const initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  if (!initial) input.focus();
  show(initial);

  fetch(form.dataset.index)
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then((index) => {
      // hearth writes root-relative URLs only; anything else is not followed.
      const local = (item) => typeof item.u === "string" && /^\/(?!\/)/.test(item.u);
      entries = (index.items || []).filter(local).map(prepare);
    })
    .catch(() => {
      loadFailed = true;
    })
    .finally(() => show(input.value));
})();
