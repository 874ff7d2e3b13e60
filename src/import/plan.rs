//! Every document of the old site given its kind, slug, new URL and old URLs, its
//! front matter mapped and its body converted; authors and organizers resolved to
//! members, with stubs made for people who have no profile.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::dates::{self, OldDate};
use super::detect::{Generator, OldSite};
use super::frontmatter::{self, Lists, Mapped, as_text};
use super::report::Report;
use super::shortcodes::{self, Lookup, Ref};
use super::source::{self, Doc};
use super::{Found, Kind, Layout, Options, hugo, jekyll, zola};
use crate::content::frontmatter::key_line;
use crate::model::Slug;

/// Names hearth's own pages take at the site root: a page may not.
const RESERVED: &[&str] = &[
    "posts",
    "members",
    "events",
    "tags",
    "search",
    "newsletter",
    "page",
    "static",
];

/// The values a permalink pattern can name.
#[derive(Debug, Clone, Default)]
pub struct UrlVars {
    /// Jekyll `:title` (the file name's words, as written) / Hugo `:filename`.
    pub title: String,
    /// URL-safe slug.
    pub slug: String,
    pub date: Option<jiff::civil::Date>,
    pub categories: String,
    pub collection: String,
    pub path: String,
    pub section: String,
    pub sections: String,
    /// Hugo's `:title`: the title made URL-safe.
    pub title_slug: String,
}

/// Fills a permalink pattern and tidies the result (`//` collapsed, leading `/`).
pub fn expand(pattern: &str, v: &UrlVars) -> String {
    let d = v.date;
    let num = |f: fn(jiff::civil::Date) -> i16, w: usize| {
        d.map(|d| format!("{:0w$}", f(d), w = w))
            .unwrap_or_default()
    };
    let replacements: Vec<(&str, String)> = vec![
        (":output_ext", ".html".into()),
        (":slugorcontentbasename", v.slug.clone()),
        (":slugorfilename", v.slug.clone()),
        (":contentbasename", v.title.clone()),
        (":categories", v.categories.clone()),
        (":collection", v.collection.clone()),
        (
            ":short_year",
            d.map(|d| format!("{:02}", d.year() % 100))
                .unwrap_or_default(),
        ),
        (
            ":monthname",
            d.map(|d| month_name(d.month())).unwrap_or_default(),
        ),
        (":sections", v.sections.clone()),
        (":section", v.section.clone()),
        (":filename", v.title.clone()),
        (":i_month", num(|d| d.month().into(), 1)),
        (":i_day", num(|d| d.day().into(), 1)),
        (":y_day", num(|d| d.day_of_year(), 3)),
        (":year", num(|d| d.year(), 4)),
        (":month", num(|d| d.month().into(), 2)),
        (":day", num(|d| d.day().into(), 2)),
        (":title", v.title.clone()),
        (":slug", v.slug.clone()),
        (":path", v.path.clone()),
        (":name", v.title.clone()),
    ];
    let mut out = pattern.to_string();
    for (k, val) in &replacements {
        out = out.replace(k, val);
    }
    normalize(&out)
}

fn month_name(m: i8) -> String {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    NAMES
        .get(usize::try_from(m - 1).unwrap_or(0))
        .map_or_else(String::new, |n| (*n).to_string())
}

/// `/a//b` → `/a/b`; `a/b` → `/a/b`; a full URL keeps only its path.
pub fn normalize(url: &str) -> String {
    let url = url.trim();
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    let mut out = String::from("/");
    for part in path.split('/').filter(|p| !p.is_empty()) {
        out.push_str(part);
        out.push('/');
    }
    if !path.ends_with('/') && out.len() > 1 {
        out.pop();
    }
    out
}

/// A document ready to write.
#[derive(Debug)]
pub struct Item {
    pub found: Found,
    pub kind: Kind,
    pub slug: String,
    pub mapped: Mapped,
    pub date: Option<OldDate>,
    pub aliases: Vec<String>,
    /// Slugs of authors (posts) or organizers (events).
    pub people: Vec<String>,
    pub body: String,
}

/// Everything to write.
#[derive(Debug, Default)]
pub struct Planned {
    pub items: Vec<Item>,
    /// Member stubs: slug and display name.
    pub stubs: Vec<(String, String)>,
    pub statics: Vec<(PathBuf, PathBuf)>,
}

/// A document read, before its body is converted.
struct Read {
    found: Found,
    doc: Doc,
    kind: Kind,
    slug: String,
    mapped: Mapped,
    old_urls: Vec<String>,
}

pub fn plan(opts: &Options, old: &OldSite, layout: Layout, report: &mut Report) -> Planned {
    for skip in &layout.skipped {
        report.skip(skip.kind, &skip.rel, &skip.why);
    }
    report.translations = layout.translations;
    let lists = match old.generator {
        Generator::Jekyll => Lists::SpaceSeparated,
        _ => Lists::Single,
    };
    let mut taken: BTreeMap<Kind, BTreeSet<String>> = BTreeMap::new();
    let mut read: Vec<Read> = Vec::new();
    for found in layout.documents {
        if let Some(r) = read_one(opts, old, found, lists, &mut taken, report) {
            read.push(r);
        }
    }
    let lookup = Links::new(&read, old);
    let members = MemberIndex::new(&read);
    let mut planned = Planned {
        statics: layout.statics,
        ..Planned::default()
    };
    let mut stubs: BTreeMap<String, String> = BTreeMap::new();
    for r in read {
        let item = finish(opts, r, &lookup, &members, &mut stubs, report);
        planned.items.push(item);
    }
    planned.stubs = stubs.into_iter().collect();
    planned
}

fn read_one(
    opts: &Options,
    old: &OldSite,
    found: Found,
    lists: Lists,
    taken: &mut BTreeMap<Kind, BTreeSet<String>>,
    report: &mut Report,
) -> Option<Read> {
    let text = match source::read_text(&opts.src, &found.rel) {
        Ok(t) => t,
        Err(e) => {
            report.skip(Some(found.kind), &found.rel, &e);
            return None;
        }
    };
    let mut doc = match source::parse_doc(&text) {
        Ok(Some(doc)) => doc,
        // Hugo and Zola read a file without front matter as a page of its own.
        Ok(None) => Doc {
            front: toml::Table::new(),
            front_text: String::new(),
            front_line: 1,
            body: text.clone(),
            body_line: 1,
        },
        Err((line, message)) => {
            report.note(&found.rel, Some(line), format!("{message}: not imported"));
            report.skip(
                Some(found.kind),
                &found.rel,
                "front matter could not be read",
            );
            return None;
        }
    };
    for (from, to) in &opts.renames {
        if let Some(v) = doc.front.remove(from) {
            doc.front.insert(to.clone(), v);
        }
    }
    let mut kind = found.kind;
    let mut mapped = frontmatter::map(kind, &doc.front, lists);
    if kind == Kind::Event && mapped.date.is_none() {
        report.note(
            &found.rel,
            None,
            "an event with no start date (`start`, `date`, ...): imported as a page".into(),
        );
        kind = Kind::Page;
        mapped = frontmatter::map(kind, &doc.front, lists);
    }
    let slug = unique_slug(slug_source(&found, &doc), kind, taken);
    let vars = url_vars(&found, &doc, &mapped, &slug);
    let old_urls = match old.generator {
        Generator::Jekyll => jekyll::old_urls(old, &found, &doc.front, &vars),
        Generator::Hugo => hugo::old_urls(old, &found, &doc.front, &vars),
        Generator::Zola => zola::old_urls(&found, &doc.front, &vars),
    };
    Some(Read {
        found,
        doc,
        kind,
        slug,
        mapped,
        old_urls,
    })
}

/// What the slug is made from: `slug`, a Zola `path`'s last part, else the file or
/// bundle name without its date.
fn slug_source(found: &Found, doc: &Doc) -> String {
    if let Some(s) = doc.front.get("slug").and_then(as_text) {
        return s;
    }
    if let Some(p) = doc.front.get("path").and_then(as_text)
        && let Some(last) = p.trim_matches('/').rsplit('/').next()
        && !last.is_empty()
    {
        return last.trim_end_matches(".html").to_string();
    }
    let rest = dates::slug_text(&found.stem);
    if rest.is_empty() {
        doc.front
            .get("title")
            .and_then(as_text)
            .unwrap_or_else(|| "untitled".into())
    } else {
        rest.to_string()
    }
}

fn unique_slug(source: String, kind: Kind, taken: &mut BTreeMap<Kind, BTreeSet<String>>) -> String {
    let base =
        Slug::from_text(&source).map_or_else(|| "untitled".to_string(), |s| s.as_str().to_string());
    let base = if kind == Kind::Page && RESERVED.contains(&base.as_str()) {
        format!("{base}-page")
    } else {
        base
    };
    let used = taken.entry(kind).or_default();
    let mut slug = base.clone();
    let mut n = 2;
    while used.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    used.insert(slug.clone());
    slug
}

fn url_vars(found: &Found, doc: &Doc, mapped: &Mapped, slug: &str) -> UrlVars {
    let (name_day, rest) = dates::from_name(&found.stem);
    let title_words = doc
        .front
        .get("slug")
        .and_then(as_text)
        .unwrap_or_else(|| rest.to_string());
    let title_slug = doc
        .front
        .get("title")
        .and_then(as_text)
        .and_then(|t| Slug::from_text(&t))
        .map_or_else(String::new, |s| s.as_str().to_string());
    let slug_or_title = doc.front.get("slug").and_then(as_text).unwrap_or_else(|| {
        if title_slug.is_empty() {
            slug.to_string()
        } else {
            title_slug.clone()
        }
    });
    UrlVars {
        title: if found.bundle.is_some() {
            found.stem.clone()
        } else {
            title_words
        },
        slug: slug_or_title,
        date: mapped.date.as_ref().map(|d| d.date).or(name_day),
        title_slug,
        ..UrlVars::default()
    }
}

/// Old URLs of every document, for `{{< ref >}}`, `{% post_url %}` and `@/`.
struct Links {
    /// Source path (relative to SRC), content-relative path, stem, new URL.
    entries: Vec<(String, String, String, String)>,
    site: toml::Table,
}

impl Links {
    fn new(read: &[Read], old: &OldSite) -> Links {
        let content = match old.generator {
            Generator::Hugo => hugo::content_dir(old),
            Generator::Zola => PathBuf::from("content"),
            Generator::Jekyll => PathBuf::new(),
        };
        let entries = read
            .iter()
            .map(|r| {
                let rel = r.found.rel.to_string_lossy().replace('\\', "/");
                let inner = r
                    .found
                    .rel
                    .strip_prefix(&content)
                    .unwrap_or(&r.found.rel)
                    .to_string_lossy()
                    .replace('\\', "/");
                let stem = super::stem(&r.found.rel);
                (rel, inner, stem, super::new_url(r.kind, &r.slug))
            })
            .collect();
        Links {
            entries,
            site: old.config.clone(),
        }
    }
}

/// `/community/code-of-conduct.md` → `community/code-of-conduct`.
fn bare(path: &str) -> String {
    let p = path.trim_start_matches("./").trim_matches('/');
    let p = p
        .strip_suffix(".md")
        .or_else(|| p.strip_suffix(".markdown"))
        .unwrap_or(p);
    let p = p
        .strip_suffix("/_index")
        .or_else(|| p.strip_suffix("/index"))
        .unwrap_or(p);
    p.to_string()
}

impl Lookup for Links {
    fn resolve(&self, reference: Ref<'_>) -> Option<String> {
        let found = match reference {
            Ref::Hugo(p) => {
                let want = bare(p);
                self.entries
                    .iter()
                    .find(|e| bare(&e.1) == want)
                    .or_else(|| {
                        let mut by_name = self
                            .entries
                            .iter()
                            .filter(|e| bare(&e.1).rsplit('/').next() == want.rsplit('/').next());
                        let first = by_name.next();
                        first.filter(|_| by_name.next().is_none())
                    })
            }
            Ref::PostUrl(name) => self
                .entries
                .iter()
                .find(|e| e.2 == name || bare(&e.0).ends_with(&format!("/{name}"))),
            Ref::Link(p) => self
                .entries
                .iter()
                .find(|e| e.0 == p.trim_start_matches('/')),
            Ref::Zola(p) => self.entries.iter().find(|e| e.1 == p),
        };
        found.map(|e| e.3.clone())
    }

    fn site_var(&self, name: &str) -> Option<String> {
        self.site.get(name).and_then(as_text)
    }
}

/// Members by every name an author may use: slug, name, file name, handles.
struct MemberIndex {
    by_key: BTreeMap<String, String>,
}

impl MemberIndex {
    fn new(read: &[Read]) -> MemberIndex {
        let mut by_key = BTreeMap::new();
        for r in read.iter().filter(|r| r.kind == Kind::Member) {
            let mut names = vec![r.slug.clone(), r.found.stem.clone()];
            for key in ["name", "title", "github", "twitter", "username", "handle"] {
                if let Some(v) = r.doc.front.get(key).and_then(as_text) {
                    names.push(v);
                }
            }
            for n in names {
                if let Some(k) = Slug::from_text(n.trim_start_matches('@')) {
                    by_key
                        .entry(k.as_str().to_string())
                        .or_insert_with(|| r.slug.clone());
                }
            }
        }
        MemberIndex { by_key }
    }
}

fn finish(
    opts: &Options,
    r: Read,
    lookup: &Links,
    members: &MemberIndex,
    stubs: &mut BTreeMap<String, String>,
    report: &mut Report,
) -> Item {
    let Read {
        found,
        doc,
        kind,
        slug,
        mut mapped,
        old_urls,
    } = r;
    let converted = shortcodes::convert(&doc.body, lookup);
    for (line, text) in &converted.leftovers {
        let at = doc.body_line + line - 1;
        report.note(
            &found.rel,
            Some(at),
            format!("not converted, left as written: {text}"),
        );
    }
    for (key, message) in &mapped.problems {
        let at = key_line(&doc.front_text, key, doc.front_line).map(|l| l.line);
        report.note(&found.rel, at, message.clone());
    }
    let new_url = super::new_url(kind, &slug);
    let mut aliases: Vec<String> = Vec::new();
    for u in old_urls.iter().map(|u| normalize(u)) {
        if u != new_url && u != "/" && !aliases.contains(&u) {
            aliases.push(u);
        }
    }
    let body = bundle_links(converted.body, &found, &old_urls);
    let date = date_of(opts, &found, &doc, &mut mapped, kind, report);
    let people = mapped
        .people
        .iter()
        .filter_map(|p| {
            let key = Slug::from_text(p)?.as_str().to_string();
            Some(match members.by_key.get(&key) {
                Some(slug) => slug.clone(),
                None => {
                    stubs.entry(key.clone()).or_insert_with(|| p.clone());
                    key
                }
            })
        })
        .fold(Vec::new(), |mut acc, s| {
            if !acc.contains(&s) {
                acc.push(s);
            }
            acc
        });
    report.imported(kind, mapped.draft || found.draft_folder);
    Item {
        found,
        kind,
        slug,
        mapped,
        date,
        aliases,
        people,
        body,
    }
}

/// A post's date (front matter, file name, Zola `path`, else today) or an event's
/// start.
fn date_of(
    opts: &Options,
    found: &Found,
    doc: &Doc,
    mapped: &mut Mapped,
    kind: Kind,
    report: &mut Report,
) -> Option<OldDate> {
    if kind != Kind::Post {
        return mapped.date.clone();
    }
    let from_path = doc
        .front
        .get("path")
        .and_then(as_text)
        .and_then(|p| dates::from_path(&p));
    let day = mapped
        .date
        .clone()
        .or_else(|| dates::from_name(&found.stem).0.or(from_path).map(day_date));
    Some(day.unwrap_or_else(|| {
        if !found.draft_folder {
            report.note(
                &found.rel,
                None,
                format!("no date in front matter or file name: dated {}", opts.today),
            );
        }
        day_date(opts.today)
    }))
}

fn day_date(date: jiff::civil::Date) -> OldDate {
    OldDate {
        date,
        time: None,
        offset: None,
    }
}

/// Links to a bundle's files by their old URL (`/blog/2023/03/01/x/kwok.svg`) made
/// relative (`kwok.svg`), since the files now sit beside the page.
fn bundle_links(body: String, found: &Found, old_urls: &[String]) -> String {
    let Some((_, assets)) = &found.bundle else {
        return body;
    };
    let mut body = body;
    for url in old_urls
        .iter()
        .map(|u| normalize(u))
        .filter(|u| u.ends_with('/'))
    {
        for asset in assets {
            let name = asset.to_string_lossy().replace('\\', "/");
            body = body.replace(&format!("{url}{name}"), &name);
        }
    }
    body
}

/// For the write step: the path of a document under DEST.
pub fn dest_path(item: &Item) -> PathBuf {
    let section = Path::new("content").join(item.kind.section());
    if item
        .found
        .bundle
        .as_ref()
        .is_some_and(|(_, a)| !a.is_empty())
    {
        section.join(&item.slug).join("index.md")
    } else {
        section.join(format!("{}.md", item.slug))
    }
}

/// The picture value written: a URL, a `/path`, or a file of the bundle.
pub fn picture(value: &str, item: &Item) -> Option<String> {
    let v = value.trim();
    if v.starts_with("http://")
        || v.starts_with("https://")
        || v.starts_with("//")
        || v.starts_with('/')
    {
        return Some(v.to_string());
    }
    let name = v.trim_start_matches("./");
    let in_bundle = item
        .found
        .bundle
        .as_ref()
        .is_some_and(|(_, a)| a.iter().any(|x| x == Path::new(name)));
    if in_bundle {
        Some(name.to_string())
    } else if !v.contains(':') {
        // Relative to the site root in Jekyll and Hugo's static folder.
        Some(format!("/{name}"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jekyll_and_hugo_patterns_expand() {
        let vars = UrlVars {
            title: "Old-Name".into(),
            slug: "old-name".into(),
            date: jiff::civil::Date::new(2019, 5, 15).ok(),
            categories: "design/open".into(),
            section: "blog".into(),
            ..UrlVars::default()
        };
        assert_eq!(
            expand("/:categories/:year/:month/:day/:title:output_ext", &vars),
            "/design/open/2019/05/15/Old-Name.html"
        );
        assert_eq!(
            expand("/:section/:year/:month/:day/:slug/", &vars),
            "/blog/2019/05/15/old-name/"
        );
        let no_cats = UrlVars {
            categories: String::new(),
            ..vars
        };
        assert_eq!(expand("/:categories/:title/", &no_cats), "/Old-Name/");
    }

    #[test]
    fn urls_are_normalised_to_site_paths() {
        assert_eq!(normalize("releases/1.44.1"), "/releases/1.44.1");
        assert_eq!(normalize("https://x.example/a/b/"), "/a/b/");
        assert_eq!(normalize("//a//b/"), "/a/b/");
        assert_eq!(normalize("/"), "/");
    }
}
