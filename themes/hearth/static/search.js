/*
 * hearth — search in the browser, for the /search/ page (templates/search.html).
 *
 * The index named by the form's data-index (search.json, format in
 * src/outputs/search.rs) is fetched when the reader first reaches the field (or
 * at once when the address carries ?q=), never on other pages. A big site's index
 * comes in parts: the word lists of a query's words and the texts of the results
 * shown are fetched when needed, and kept.
 *
 * Matching: every word of the query must match a word of the document, ignoring
 * case and accents, as the whole word, as its start ("rus" finds "rust"), or, for
 * words of four letters or more, with one letter wrong, missing, extra or two
 * swapped ("rsut" finds "rust"). Ranking: title over tags over summary, role and
 * date over body; exact over prefix over typo. Each result shows a snippet of the
 * text around the first match.
 *
 * Everything from the index reaches the page through textContent and
 * setAttribute only, never as HTML.
 */
"use strict";

(() => {
  const MAX_RESULTS = 20;
  const DEBOUNCE_MS = 120;
  const MAX_EXPANSIONS = 40;
  const SNIPPET_CHARS = 90;
  const KIND_LABELS = { post: "Post", member: "Member", event: "Event" };
  const FIELD_WEIGHT = { title: 10, tag: 6, meta: 3, body: 1 };
  const MATCH_WEIGHT = { exact: 1, prefix: 0.7, typo: 0.45 };

  const form = document.querySelector("form.search-form[data-index]");
  const input = document.getElementById("search-input");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;

  /** Lower case, accents and other combining marks removed: "Sofía" -> "sofia". */
  const fold = (text) => text.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase();
  const split = (text) => fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

  /** The loaded index: items with their field words, and the vocabulary. */
  let index = null;
  let loading = null;
  let loadFailed = false;
  const shardCache = new Map();
  const textCache = new Map();

  const prepare = (raw) => {
    const stop = new Set(raw.stop || []);
    const items = (raw.items || []).map(
      (item) =>
        item && {
          title: new Set(split(item.t || "")),
          tags: new Set((item.g || []).flatMap(split)),
          meta: new Set(split([item.s, item.r, item.d].filter(Boolean).join(" "))),
        },
    );
    // Folded word -> the words as indexed ("zurich" -> ["zürich"]).
    const vocabulary = new Map();
    for (const word of Object.keys(raw.terms || {})) {
      const folded = fold(word);
      if (!vocabulary.has(folded)) vocabulary.set(folded, []);
      vocabulary.get(folded).push(word);
    }
    return { raw, stop, items, vocabulary, folded: [...vocabulary.keys()] };
  };

  const load = () => {
    if (!loading) {
      loading = fetch(form.dataset.index)
        .then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return response.json();
        })
        .then((raw) => {
          // hearth writes root-relative URLs only; anything else is not followed.
          const local = (item) => typeof item.u === "string" && /^\/(?!\/)/.test(item.u);
          raw.items = (raw.items || []).map((item) => (local(item) ? item : null));
          index = prepare(raw);
        })
        .catch(() => {
          loadFailed = true;
        })
        .finally(() => show(input.value));
    }
    return loading;
  };

  const getJson = (url) =>
    fetch(url).then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    });

  /** The documents that hold `word` (as indexed). */
  const postings = async (word) => {
    const entry = index.raw.terms[word];
    if (Array.isArray(entry)) return entry;
    const code = word.codePointAt(0).toString(16);
    if (!shardCache.has(code)) shardCache.set(code, getJson(`${index.raw.parts.terms}${code}.json`));
    return (await shardCache.get(code))[word] || [];
  };

  /** The body text of document `n`. */
  const textOf = async (n) => {
    const item = index.raw.items[n];
    if (!index.raw.parts) return (item && item.b) || "";
    const chunk = Math.floor(n / index.raw.parts.chunk);
    if (!textCache.has(chunk)) textCache.set(chunk, getJson(`${index.raw.parts.text}${chunk}.json`));
    return (await textCache.get(chunk))[n % index.raw.parts.chunk] || "";
  };

  /** Damerau-Levenshtein distance of at most one (one edit or one swap). */
  const oneEditApart = (a, b) => {
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
    if (a.length === b.length) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true;
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  };

  /** Folded vocabulary words a query word stands for, with how well they match. */
  const expand = (term) => {
    const found = new Map();
    if (index.vocabulary.has(term)) found.set(term, "exact");
    for (const word of index.folded) {
      if (found.size >= MAX_EXPANSIONS) break;
      if (found.has(word)) continue;
      if (term.length >= 2 && word.startsWith(term)) found.set(word, "prefix");
      else if (term.length >= 4 && oneEditApart(term, word)) found.set(word, "typo");
    }
    return found;
  };

  /** The field of a document a folded word was found in, best first. */
  const fieldOf = (entry, word) => {
    if (entry.title.has(word)) return "title";
    if (entry.tags.has(word)) return "tag";
    if (entry.meta.has(word)) return "meta";
    return "body";
  };

  /** Documents matching every query word, best first, each with its matched words. */
  const search = async (terms) => {
    let scores = null;
    for (const term of terms) {
      const best = new Map(); // document -> { score, words }
      for (const [word, how] of expand(term)) {
        for (const indexed of index.vocabulary.get(word)) {
          for (const n of await postings(indexed)) {
            const entry = index.items[n];
            if (!entry) continue;
            const score = FIELD_WEIGHT[fieldOf(entry, word)] * MATCH_WEIGHT[how];
            const seen = best.get(n) || { score: 0, words: [] };
            seen.score = Math.max(seen.score, score);
            seen.words.push(word);
            best.set(n, seen);
          }
        }
      }
      if (scores === null) scores = best;
      else {
        for (const [n, total] of scores) {
          const hit = best.get(n);
          if (!hit) scores.delete(n);
          else {
            total.score += hit.score;
            total.words.push(...hit.words);
          }
        }
      }
    }
    return [...(scores || new Map())]
      .map(([n, hit]) => ({ n, ...hit }))
      .sort((a, b) => b.score - a.score || a.n - b.n);
  };

  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  };

  /** The text around the first of `words` in `text`, the match marked; or null. */
  const snippet = (text, words) => {
    // Fold character by character so positions map back to the original text.
    let folded = "";
    const origin = [];
    for (let i = 0; i < text.length; i += 1) {
      const piece = fold(text[i]);
      for (let j = 0; j < piece.length; j += 1) origin.push(i);
      folded += piece;
    }
    let at = -1;
    let length = 0;
    for (const word of words) {
      const match = new RegExp(`(^|[^\\p{L}\\p{N}])(${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})`, "u").exec(folded);
      if (match && (at < 0 || match.index < at)) {
        at = match.index + match[1].length;
        length = word.length;
      }
    }
    if (at < 0) return null;
    const start = origin[at];
    const end = at + length < origin.length ? origin[at + length] : text.length;
    const from = Math.max(0, text.lastIndexOf(" ", Math.max(0, start - SNIPPET_CHARS)) + 1);
    const cut = text.indexOf(" ", Math.min(text.length, end + SNIPPET_CHARS));
    const to = cut < 0 ? text.length : cut;
    const p = element("p", "search-snippet");
    p.append(`${from > 0 ? "… " : ""}${text.slice(from, start)}`);
    p.append(element("mark", "", text.slice(start, end)));
    p.append(`${text.slice(end, to)}${to < text.length ? " …" : ""}`);
    return p;
  };

  /** One result, shaped like the theme's cards. */
  const resultItem = (item, excerpt) => {
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
    if (excerpt) card.append(excerpt);
    else if (item.s) card.append(element("p", "search-summary", item.s));

    const li = document.createElement("li");
    li.append(card);
    return li;
  };

  /** Counts the searches, so a slow answer never replaces a newer one. */
  let generation = 0;

  const show = async (query) => {
    const current = ++generation;
    const all = split(query);
    const terms = index ? all.filter((t) => !index.stop.has(t)) : all;
    if (all.length === 0) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    if (loadFailed) {
      list.replaceChildren();
      status.textContent = "Search is unavailable: the search index could not be loaded.";
      return;
    }
    if (!index) {
      status.textContent = "Loading the search index…";
      load();
      return;
    }
    let results = [];
    let cards = [];
    try {
      results = terms.length > 0 ? await search(terms) : [];
      cards = await Promise.all(
        results.slice(0, MAX_RESULTS).map(async (hit) => {
          const item = index.raw.items[hit.n];
          const excerpt = snippet(await textOf(hit.n), hit.words);
          return resultItem(item, excerpt);
        }),
      );
    } catch {
      if (current === generation) status.textContent = "Search is unavailable: part of the search index could not be loaded.";
      return;
    }
    if (current !== generation) return;
    list.replaceChildren(...cards);
    const quoted = `“${query.trim()}”`;
    if (results.length === 0) {
      status.textContent = `No results for ${quoted}.`;
    } else if (results.length > cards.length) {
      status.textContent = `Showing the first ${cards.length} of ${results.length} results for ${quoted}.`;
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
  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", () => {
    load();
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
  if (initial) show(initial);
  else input.focus();
})();
