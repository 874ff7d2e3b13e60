//! Front matter of Jekyll, Hugo and Zola pages in hearth's keys. The table of common
//! spellings below is the one documented in the README ("Moving from Jekyll, Hugo or
//! Zola"); what none of them names is kept under `[extra]`, so nothing is lost.

use toml::{Table, Value};

use super::Kind;
use super::dates::{self, OldDate};

/// Spellings of each hearth key, first match wins. `date` also feeds an event's
/// `start` when it has none (Jekyll collections date their documents).
const TITLE: &[&str] = &["title"];
const POST_DATE: &[&str] = &["date", "publishDate", "publishdate", "pubdate"];
const UPDATED: &[&str] = &["updated", "lastmod", "last_modified_at", "modified"];
const SUMMARY: &[&str] = &["summary", "description", "excerpt"];
const IMAGE: &[&str] = &[
    "image",
    "cover",
    "featured_image",
    "featured-image",
    "featuredImage",
    "thumbnail",
    "banner",
];
const AUTHORS: &[&str] = &["authors", "author"];
const TAGS: &[&str] = &["tags", "categories", "category", "keywords", "topics"];
const START: &[&str] = &[
    "start",
    "dateStart",
    "start_date",
    "startDate",
    "starts",
    "begin",
    "date",
];
const END: &[&str] = &["end", "end_date", "dateEnd", "enddate", "endDate", "ends"];
const LOCATION: &[&str] = &["location", "room", "venue", "place", "address", "city"];
const ONLINE: &[&str] = &[
    "online",
    "stream",
    "livestream",
    "meeting_url",
    "video_call",
];
const RSVP: &[&str] = &[
    "rsvp",
    "registration",
    "register",
    "tickets",
    "signup",
    "meetup_url",
];
const ORGANIZERS: &[&str] = &[
    "organizers",
    "organizer",
    "presenter_slugs",
    "speakers",
    "speaker",
    "presenters",
    "hosts",
];
const NAME: &[&str] = &["name", "full_name", "title"];
const ROLE: &[&str] = &["role", "position", "job_title", "jobtitle"];
const AVATAR: &[&str] = &[
    "avatar",
    "image",
    "photo",
    "picture",
    "headshot",
    "thumbnail",
];
const MEMBER_TAGS: &[&str] = &["tags", "skills", "topics", "interests"];
const JOINED: &[&str] = &["joined", "since", "member_since"];
const MEMBER_SUMMARY: &[&str] = &["summary", "description", "bio", "excerpt"];
/// Profile links: key and label; handles become URLs.
const LINKS: &[(&str, &str, &str)] = &[
    ("github", "GitHub", "https://github.com/"),
    ("gitlab", "GitLab", "https://gitlab.com/"),
    ("twitter", "Twitter", "https://twitter.com/"),
    ("linkedin", "LinkedIn", "https://www.linkedin.com/in/"),
    ("mastodon", "Mastodon", ""),
    ("website", "Website", ""),
    ("homepage", "Website", ""),
    ("url", "Website", ""),
    ("blog", "Blog", ""),
];
/// Keys that hold the old URL of a page: they become `aliases`, not `extra`.
pub const URL_KEYS: &[&str] = &[
    "permalink",
    "url",
    "path",
    "aliases",
    "redirect_from",
    "slug",
];
/// Keys that only steered the old generator.
const DROPPED: &[&str] = &[
    "draft",
    "published",
    "layout",
    "template",
    "taxonomies",
    "extra",
];

/// How lists are written as text in the old site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lists {
    /// Jekyll: `categories: design open source` is three categories.
    SpaceSeparated,
    /// Hugo and Zola: a string is one value (or a comma list).
    Single,
}

/// One document's front matter in hearth's keys.
#[derive(Debug, Default)]
pub struct Mapped {
    /// hearth keys and values, in the order they are written.
    pub keys: Vec<(&'static str, Value)>,
    pub extra: Table,
    /// Display names, handles or slugs of authors (posts) or organizers (events).
    pub people: Vec<String>,
    pub draft: bool,
    /// A post's date or an event's start, when front matter has one.
    pub date: Option<OldDate>,
    /// The picture (`image` or `avatar`) as written; placed by the caller.
    pub picture: Option<String>,
    /// Key and message of each value that could not be converted.
    pub problems: Vec<(String, String)>,
}

impl Mapped {
    fn set(&mut self, key: &'static str, value: Value) {
        self.keys.push((key, value));
    }
}

/// Maps `raw` (renames applied) for a document of `kind`.
pub fn map(kind: Kind, raw: &Table, lists: Lists) -> Mapped {
    let mut m = Mapped::default();
    let mut used: Vec<&str> = Vec::new();
    let mut take = |keys: &[&'static str]| -> Option<(&'static str, &Value)> {
        let found = keys.iter().find_map(|k| raw.get(*k).map(|v| (*k, v)));
        if let Some((k, _)) = found {
            used.push(k);
        }
        found
    };
    m.draft = raw.get("draft").and_then(Value::as_bool) == Some(true)
        || raw.get("published").and_then(Value::as_bool) == Some(false);
    match kind {
        Kind::Post => post(&mut m, &mut take, raw, lists),
        Kind::Event => event(&mut m, &mut take, raw, lists),
        Kind::Member => member(&mut m, &mut take, raw, lists),
        Kind::Page => page(&mut m, &mut take, raw),
    }
    if m.draft {
        m.set("draft", Value::Boolean(true));
    }
    for (key, value) in raw {
        let consumed = used.contains(&key.as_str())
            || URL_KEYS.contains(&key.as_str())
            || DROPPED.contains(&key.as_str());
        if !consumed {
            m.extra.insert(key.clone(), value.clone());
        }
    }
    // Zola keeps free fields under [extra] already.
    if let Some(Value::Table(extra)) = raw.get("extra") {
        for (k, v) in extra {
            m.extra.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    m
}

type Take<'r, 'k> = dyn FnMut(&[&'static str]) -> Option<(&'static str, &'r Value)> + 'k;

fn post(m: &mut Mapped, take: &mut Take<'_, '_>, raw: &Table, lists: Lists) {
    title(m, take);
    m.date = date(m, take(POST_DATE));
    if let Some(updated) = date(m, take(UPDATED)) {
        m.set("updated", updated.to_toml());
    }
    let people = take(AUTHORS).map(|(_, v)| people(v)).unwrap_or_default();
    m.people = [people, taxonomy(raw, "authors", Lists::Single)].concat();
    tags(m, take, TAGS, raw, lists);
    text(m, take, SUMMARY, "summary");
    m.picture = take(IMAGE).and_then(|(_, v)| as_text(v));
}

fn event(m: &mut Mapped, take: &mut Take<'_, '_>, raw: &Table, lists: Lists) {
    title(m, take);
    m.date = date(m, take(START));
    if let Some(end) = date(m, take(END)) {
        m.set("end", end.to_toml());
    }
    text(m, take, &["timezone"], "timezone");
    if let Some((_, v)) = take(LOCATION)
        && let Some(place) = place(v)
    {
        m.set("location", Value::String(place));
    }
    text(m, take, ONLINE, "online");
    text(m, take, RSVP, "rsvp");
    m.people = take(ORGANIZERS).map(|(_, v)| people(v)).unwrap_or_default();
    tags(m, take, TAGS, raw, lists);
    if let Some((_, v)) = take(&["status"]) {
        match as_text(v).as_deref().map(str::to_lowercase).as_deref() {
            Some("cancelled" | "canceled") => m.set("status", Value::String("cancelled".into())),
            // `past`, `upcoming`: hearth knows from the date.
            _ => {
                m.extra.insert("status".into(), v.clone());
            }
        }
    }
    text(m, take, SUMMARY, "summary");
    // hearth's events have no picture of their own: it stays a free field.
    if let Some((k, v)) = take(IMAGE) {
        m.extra.insert(k.into(), v.clone());
    }
}

fn member(m: &mut Mapped, take: &mut Take<'_, '_>, raw: &Table, lists: Lists) {
    match take(NAME).and_then(|(_, v)| as_text(v)) {
        Some(name) => m.set("name", Value::String(name)),
        None => m
            .problems
            .push(("name".into(), "no `name` or `title`".into())),
    }
    text(m, take, ROLE, "role");
    text(m, take, &["pronouns"], "pronouns");
    m.picture = take(AVATAR).and_then(|(_, v)| as_text(v));
    if let Some(joined) = date(m, take(JOINED)) {
        m.set("joined", Value::Datetime(day_only(&joined)));
    }
    if let Some((_, v)) = take(&["location", "city", "country"])
        && let Some(place) = place(v)
    {
        m.set("location", Value::String(place));
    }
    links(m, take);
    tags(m, take, MEMBER_TAGS, raw, lists);
    if let Some(spot) = date(m, take(&["spotlight"])) {
        m.set("spotlight", Value::Datetime(day_only(&spot)));
    }
    text(m, take, MEMBER_SUMMARY, "summary");
}

fn page(m: &mut Mapped, take: &mut Take<'_, '_>, raw: &Table) {
    title(m, take);
    let menu = match raw.get("menu") {
        Some(Value::Integer(w)) => Some(*w),
        Some(Value::String(_) | Value::Array(_)) => Some(raw_weight(raw)),
        Some(Value::Table(t)) => Some(
            t.values()
                .find_map(|v| v.get("weight").and_then(Value::as_integer))
                .unwrap_or_else(|| raw_weight(raw)),
        ),
        _ => None,
    };
    if let Some(w) = menu {
        take(&["menu"]);
        m.set("menu", Value::Integer(w));
    }
}

fn raw_weight(raw: &Table) -> i64 {
    raw.get("weight").and_then(Value::as_integer).unwrap_or(1)
}

fn title(m: &mut Mapped, take: &mut Take<'_, '_>) {
    if let Some(t) = take(TITLE).and_then(|(_, v)| as_text(v)) {
        m.set("title", Value::String(t));
    }
}

/// A date-valued key, or a problem naming it.
fn date(m: &mut Mapped, found: Option<(&'static str, &Value)>) -> Option<OldDate> {
    let (key, value) = found?;
    let text = as_text(value)?;
    let parsed = dates::parse(&text);
    if parsed.is_none() {
        m.problems.push((
            key.into(),
            format!("`{key}` = `{text}` is not a date hearth reads: kept under [extra]"),
        ));
        m.extra.insert(key.into(), value.clone());
    }
    parsed
}

fn day_only(d: &OldDate) -> toml::value::Datetime {
    toml::value::Datetime {
        date: Some(toml::value::Date {
            year: d.date.year() as u16,
            month: d.date.month() as u8,
            day: d.date.day() as u8,
        }),
        time: None,
        offset: None,
    }
}

fn text(m: &mut Mapped, take: &mut Take<'_, '_>, keys: &[&'static str], to: &'static str) {
    if let Some(t) = take(keys).and_then(|(_, v)| as_text(v)) {
        m.set(to, Value::String(t));
    }
}

fn tags(m: &mut Mapped, take: &mut Take<'_, '_>, keys: &[&'static str], raw: &Table, lists: Lists) {
    // Every spelling adds its values: categories and tags both become tags.
    let mut all: Vec<String> = Vec::new();
    for key in keys {
        if let Some((_, v)) = take(&[*key]) {
            all.extend(list(v, lists));
        }
    }
    all.extend(taxonomy(raw, "tags", lists));
    all.extend(taxonomy(raw, "categories", lists));
    let mut seen = std::collections::BTreeSet::new();
    all.retain(|t| crate::model::Slug::from_text(t).is_some_and(|s| seen.insert(s)));
    let max = crate::content::documents::MAX_TAGS;
    if all.len() > max {
        m.problems.push((
            "tags".into(),
            format!("{} tags; hearth keeps the first {max}", all.len()),
        ));
        all.truncate(max);
    }
    if !all.is_empty() {
        m.set(
            "tags",
            Value::Array(all.into_iter().map(Value::String).collect()),
        );
    }
}

/// Zola's `[taxonomies] NAME = [...]`.
fn taxonomy(raw: &Table, name: &str, lists: Lists) -> Vec<String> {
    raw.get("taxonomies")
        .and_then(|t| t.get(name))
        .map(|v| list(v, lists))
        .unwrap_or_default()
}

fn links(m: &mut Mapped, take: &mut Take<'_, '_>) {
    let mut links = Table::new();
    for (key, label, prefix) in LINKS {
        let Some(handle) = take(&[key]).and_then(|(_, v)| as_text(v)) else {
            continue;
        };
        let handle = handle.trim();
        if handle.is_empty() || links.contains_key(*label) {
            continue;
        }
        let url = if handle.starts_with("http://") || handle.starts_with("https://") {
            handle.to_string()
        } else if prefix.is_empty() {
            m.problems.push((
                (*key).into(),
                format!("`{key}` = `{handle}` is not a URL: kept under [extra]"),
            ));
            m.extra.insert((*key).into(), Value::String(handle.into()));
            continue;
        } else {
            format!("{prefix}{}", handle.trim_start_matches('@'))
        };
        links.insert((*label).into(), Value::String(url));
    }
    if !links.is_empty() {
        m.set("links", Value::Table(links));
    }
}

/// A place as text: a string, or a table's `title`/`name` and `address`.
fn place(v: &Value) -> Option<String> {
    if let Some(t) = as_text(v) {
        return Some(t);
    }
    let t = v.as_table()?;
    let parts: Vec<String> = ["title", "name", "address", "city"]
        .iter()
        .filter_map(|k| t.get(*k).and_then(as_text))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A scalar as text; `None` for tables, lists and empty strings.
pub fn as_text(v: &Value) -> Option<String> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(_) | Value::Table(_) => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A list as written: an array, a comma list, or (Jekyll) words.
pub fn list(v: &Value, lists: Lists) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(as_text).collect(),
        other => match as_text(other) {
            Some(t) if t.contains(',') => t
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            Some(t) if lists == Lists::SpaceSeparated => {
                t.split_whitespace().map(str::to_string).collect()
            }
            Some(t) => vec![t],
            None => Vec::new(),
        },
    }
}

/// People as written: a list, a comma list, `A and B`, `A & B`, or markdown links
/// (`[Ada](https://...)`), as display names.
pub fn people(v: &Value) -> Vec<String> {
    let raw: Vec<String> = match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| as_text(i).or_else(|| i.get("name").and_then(as_text)))
            .collect(),
        Value::Table(t) => t.get("name").and_then(as_text).into_iter().collect(),
        other => as_text(other).into_iter().collect(),
    };
    raw.iter()
        .flat_map(|s| split_people(s))
        .map(|s| link_text(&s))
        .filter(|s| !s.is_empty())
        .collect()
}

fn split_people(text: &str) -> Vec<String> {
    let mut parts = vec![text.replace('\n', " ")];
    for sep in [",", " & ", " and ", ";"] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

/// `[Ada](https://...)` → `Ada`; other text as it is, without a `(Company)` tail.
fn link_text(text: &str) -> String {
    let text = text.trim();
    let name = match (text.strip_prefix('['), text.find("](")) {
        (Some(_), Some(end)) => &text[1..end],
        _ => text,
    };
    let name = match name.find(" (") {
        Some(i) if name.ends_with(')') => &name[..i],
        _ => name,
    };
    name.trim().trim_start_matches('@').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        text.parse().expect("toml")
    }

    fn get<'a>(m: &'a Mapped, key: &str) -> Option<&'a Value> {
        m.keys.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    #[test]
    fn jekyll_post_keys_become_hearth_keys() {
        let raw = table(concat!(
            "title = \"Hi\"\ndate = \"2019-05-15 10:00:00 +0200\"\n",
            "author = \"Ada Lovelace, Grace Hopper\"\ncategories = \"design open-source\"\n",
            "tags = [\"Design\", \"ux\"]\nexcerpt = \"Short\"\npublished = false\n",
            "layout = \"post\"\npermalink = \"/x/\"\nmood = \"happy\"\n",
        ));
        let m = map(Kind::Post, &raw, Lists::SpaceSeparated);
        assert_eq!(m.people, ["Ada Lovelace", "Grace Hopper"]);
        assert_eq!(
            m.date.as_ref().map(|d| d.to_text()).as_deref(),
            Some("2019-05-15T10:00:00+02:00")
        );
        let tags: Vec<&str> = get(&m, "tags")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(tags, ["Design", "ux", "open-source"]);
        assert_eq!(get(&m, "summary").and_then(Value::as_str), Some("Short"));
        assert!(m.draft);
        assert!(m.extra.contains_key("mood") && !m.extra.contains_key("layout"));
        assert!(!m.extra.contains_key("permalink"));
    }

    #[test]
    fn event_spellings_of_start_end_place_and_speakers() {
        let raw = table(concat!(
            "title = \"Night\"\ndateStart = \"2026-01-10 18:30\"\nenddate = \"2026-01-10 21:00\"\n",
            "venue = \"Hub\"\npresenter_slugs = [\"ada\", \"grace\"]\nstatus = \"canceled\"\n",
        ));
        let m = map(Kind::Event, &raw, Lists::Single);
        assert_eq!(
            m.date.as_ref().map(|d| d.to_text()).as_deref(),
            Some("2026-01-10T18:30:00")
        );
        assert!(get(&m, "end").is_some());
        assert_eq!(get(&m, "location").and_then(Value::as_str), Some("Hub"));
        assert_eq!(get(&m, "status").and_then(Value::as_str), Some("cancelled"));
        assert_eq!(m.people, ["ada", "grace"]);
    }

    #[test]
    fn member_profiles_get_links_from_handles() {
        let raw = table(concat!(
            "title = \"Ada, Organiser\"\nname = \"Ada\"\ngithub = \"ada\"\n",
            "url = \"https://ada.example\"\ntags = \"rust, design\"\n",
        ));
        let m = map(Kind::Member, &raw, Lists::SpaceSeparated);
        assert_eq!(get(&m, "name").and_then(Value::as_str), Some("Ada"));
        let links = get(&m, "links")
            .and_then(Value::as_table)
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            links.get("GitHub").and_then(Value::as_str),
            Some("https://github.com/ada")
        );
        assert_eq!(
            links.get("Website").and_then(Value::as_str),
            Some("https://ada.example")
        );
        assert!(m.extra.contains_key("title"));
    }

    #[test]
    fn authors_are_read_in_every_common_spelling() {
        let v = |t: &str| people(&table(t)["a"]);
        assert_eq!(v("a = \"[Matt B](https://x.example)\""), ["Matt B"]);
        assert_eq!(v("a = \"Ala Dewberry (VMware)\""), ["Ala Dewberry"]);
        assert_eq!(
            v("a = \"Eriol Fox & Kitspace team\""),
            ["Eriol Fox", "Kitspace team"]
        );
        assert_eq!(v("a = [\"x\", \"y\"]"), ["x", "y"]);
        assert_eq!(v("a = [{ name = \"Z\" }]"), ["Z"]);
    }

    #[test]
    fn a_date_hearth_cannot_read_is_kept_and_reported() {
        let m = map(
            Kind::Post,
            &table("title = \"x\"\ndate = \"soon\"\n"),
            Lists::Single,
        );
        assert!(m.date.is_none());
        assert_eq!(m.problems.len(), 1);
        assert!(m.extra.contains_key("date"));
    }
}
