//! `hearth init` and `hearth new`: a working starter site, and new content files
//! with their front matter filled in, from templates embedded in the binary.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use jiff::civil::Date;

use crate::files;
use crate::model::Slug;

const CONFIG: &str = include_str!("hearth.toml");
const POST: &str = include_str!("post.md");
/// The body of the starter site's first post.
const WELCOME: &str = include_str!("welcome.md");
/// The body of a post made with `hearth new post`.
const NEW_POST: &str = "The first paragraph is the post's summary on lists and in the newsletter.\n\n## A heading\n\nThe rest of the post.\n";
const MEMBER: &str = include_str!("member.md");
const EVENT: &str = include_str!("event.md");
const PAGE: &str = include_str!("page.md");
/// A page made with `hearth new page`: not the starter site's About page, and not in
/// the menu until its writer says so.
const NEW_PAGE: &str = "+++\ntitle = \"{{TITLE}}\"\n# menu = 2                  # uncomment to show the page in the site navigation\n+++\nWhat this page is for. Write it in markdown.\n";
const CI_GITHUB: &str = include_str!("ci/github.yml");
const CI_GITLAB: &str = include_str!("ci/gitlab.yml");
const SUBSCRIBERS: &str = include_str!("subscribers.csv");
const GITIGNORE: &str = include_str!("gitignore");

/// The longest file-name slug `hearth new` makes from a title, in characters.
const MAX_SLUG_CHARS: usize = 60;

/// The kinds of content `hearth new` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Post,
    Member,
    Event,
    Page,
}

/// Where a site is published from, for `hearth init --ci`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Ci {
    /// GitHub Actions and GitHub Pages.
    Github,
    /// GitLab CI/CD and GitLab Pages.
    Gitlab,
}

impl Ci {
    /// The workflow file, relative to the repository, and its text.
    fn file(self) -> (&'static str, &'static str) {
        match self {
            Ci::Github => (".github/workflows/hearth.yml", CI_GITHUB),
            Ci::Gitlab => (".gitlab-ci.yml", CI_GITLAB),
        }
    }
}

/// Writes the CI workflow that builds, publishes and sends from `dir`. Never replaces
/// a file: an existing workflow is an error and nothing is written. Returns the files
/// written, relative to `dir`.
pub fn ci(dir: &Path, ci: Ci) -> Result<Vec<PathBuf>> {
    let (rel, text) = ci.file();
    let path = dir.join(rel);
    if path.symlink_metadata().is_ok() {
        bail!(
            "`{}` already exists; hearth never replaces a workflow (merge it by hand, or move it away first)",
            path.display()
        );
    }
    files::open(dir, Path::new(rel), files::Mode::New)?
        .write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(vec![PathBuf::from(rel)])
}

/// What `hearth new` writes.
#[derive(Debug, Clone, Copy)]
pub struct NewItem<'a> {
    pub kind: Kind,
    pub title: &'a str,
    /// A post's date, an event's day, a member's `joined`; the event's default is a
    /// week after it.
    pub date: Date,
    /// Whether `--date` gave the date (an event then starts on it).
    pub date_given: bool,
    pub draft: bool,
    pub timezone: &'a str,
}

/// Values filled into the templates.
struct Fill<'a> {
    title: &'a str,
    /// The body of a post.
    body: &'a str,
    today: Date,
    timezone: &'a str,
    member: &'a str,
}

impl Fill<'_> {
    fn apply(&self, template: &str) -> String {
        let next_week = self
            .today
            .checked_add(jiff::Span::new().days(7))
            .unwrap_or(self.today);
        template
            .replace("{{TITLE}}", &toml_text(self.title))
            .replace("{{NAME}}", &plain_text(self.title))
            .replace("{{BODY}}", self.body)
            .replace("{{TODAY}}", &self.today.to_string())
            .replace("{{NEXT_WEEK}}", &next_week.to_string())
            .replace("{{TIMEZONE}}", self.timezone)
            .replace("{{MEMBER}}", self.member)
    }
}

/// Text on one line: a line break or other control character separates words.
fn plain_text(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text safe inside a TOML basic string.
fn toml_text(text: &str) -> String {
    plain_text(text)
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c => vec![c],
        })
        .collect()
}

/// Writes a starter site into `dir`, which must be missing or empty. Returns the
/// files written, relative to `dir`.
pub fn init(dir: &Path, today: Date, timezone: &str) -> Result<Vec<PathBuf>> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "`{}` is not empty; hearth init only writes into a new or empty folder",
                dir.display()
            );
        }
    }
    let member = "your-name";
    let fill = Fill {
        title: "",
        body: WELCOME,
        today,
        timezone,
        member,
    };
    let with_title = |title, template| Fill { title, ..fill }.apply(template);
    let spotlight = |text: String| text.replace("# spotlight = ", "spotlight = ");
    let files: Vec<(PathBuf, String)> = vec![
        ("hearth.toml".into(), fill.apply(CONFIG)),
        (
            format!("content/posts/{today}-welcome.md").into(),
            with_title("Welcome to our new site", POST),
        ),
        (
            format!("content/members/{member}.md").into(),
            spotlight(with_title("Your Name", MEMBER)),
        ),
        (
            "content/events/first-meetup.md".into(),
            with_title("Our first meetup", EVENT),
        ),
        ("content/pages/about.md".into(), with_title("About", PAGE)),
        ("static/.gitkeep".into(), String::new()),
        ("subscribers.csv".into(), SUBSCRIBERS.to_string()),
        (".gitignore".into(), GITIGNORE.to_string()),
    ];
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    for (rel, text) in &files {
        files::open(dir, rel, files::Mode::New)?
            .write_all(text.as_bytes())
            .with_context(|| format!("cannot write `{}`", dir.join(rel).display()))?;
    }
    Ok(files.into_iter().map(|(rel, _)| rel).collect())
}

/// Writes a new content file into the site; never replaces a file. A slug already
/// taken (by `taken` or by a file) gets `-2`, `-3`, ... and is written as `slug`, so
/// the build never meets two items with one URL. Returns its path.
pub fn new(site_dir: &Path, item: &NewItem<'_>, taken: &BTreeSet<String>) -> Result<PathBuf> {
    let title = item.title;
    if looks_like_a_path(title) {
        bail!(
            "`{title}` looks like a file path, but hearth new takes a title and makes the file name from it: try `hearth new {} \"My first post\"`",
            kind_name(item.kind)
        );
    }
    let Some(slug) = Slug::from_text(title) else {
        bail!("cannot make a file name from the title `{title}`: use a few words");
    };
    // A long title makes a long file name and URL; the first words are enough.
    let slug: String = slug.as_str().chars().take(MAX_SLUG_CHARS).collect();
    let base = slug.trim_end_matches('-');
    let date = item.date;
    let rel_for = |slug: &str| match item.kind {
        Kind::Post => format!("content/posts/{date}-{slug}.md"),
        Kind::Member => format!("content/members/{slug}.md"),
        Kind::Event => format!("content/events/{slug}.md"),
        Kind::Page => format!("content/pages/{slug}.md"),
    };
    let (slug, rel) = (1..=1000)
        .map(|n| match n {
            1 => base.to_string(),
            n => format!("{base}-{n}"),
        })
        .map(|slug| {
            let rel = rel_for(&slug);
            (slug, rel)
        })
        .find(|(slug, rel)| !taken.contains(slug) && site_dir.join(rel).symlink_metadata().is_err())
        .with_context(|| format!("every slug like `{base}` is taken: choose another title"))?;
    let text = starter_text(item, &slug, slug != base);
    let path = site_dir.join(&rel);
    // Never through a link: `content/posts -> ~` must not put a file in the home.
    let mut file = files::open(site_dir, Path::new(&rel), files::Mode::New)?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

/// The front matter and body of a new item.
fn starter_text(item: &NewItem<'_>, slug: &str, set_slug: bool) -> String {
    let template = match item.kind {
        Kind::Post => POST,
        Kind::Member => MEMBER,
        Kind::Event => EVENT,
        Kind::Page => NEW_PAGE,
    };
    // An event made with --date starts that day, else a week from today.
    let today = match (item.kind, item.date_given) {
        (Kind::Event, true) => item
            .date
            .checked_sub(jiff::Span::new().days(7))
            .unwrap_or(item.date),
        _ => item.date,
    };
    // Authors and organizers are for the writer to fill in: an empty list builds.
    let text = Fill {
        title: item.title,
        body: NEW_POST,
        today,
        timezone: item.timezone,
        member: "",
    }
    .apply(template)
    .replace("authors = [\"\"]", "authors = []")
    .replace("organizers = [\"\"]", "organizers = []");
    let mut extra = String::new();
    if set_slug {
        extra.push_str(&format!(
            "slug = \"{slug}\"              # the title's slug was taken\n"
        ));
    }
    if item.draft {
        extra.push_str(
            "draft = true                # left out of the site until you remove this line\n",
        );
    }
    // The keys go right after the first line of front matter (the title or name).
    match text.split_once('\n').and_then(|(open, rest)| {
        rest.split_once('\n')
            .map(|(first, rest)| (open, first, rest))
    }) {
        Some((open, first, rest)) if !extra.is_empty() => format!("{open}\n{first}\n{extra}{rest}"),
        _ => text,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Post => "post",
        Kind::Member => "member",
        Kind::Event => "event",
        Kind::Page => "page",
    }
}

/// `posts/my-post.md`, `my-post.md`, `./x`: a path given where a title belongs. A
/// title with words and a slash ("AC/DC night") is a title.
fn looks_like_a_path(title: &str) -> bool {
    let t = title.trim();
    let lower = t.to_lowercase();
    lower.ends_with(".md")
        || lower.ends_with(".markdown")
        || (t.contains(['/', '\\']) && !t.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_safe_inside_toml_strings() {
        assert_eq!(toml_text("Say \"hi\" \\ bye\n"), "Say \\\"hi\\\" \\\\ bye");
    }

    #[test]
    fn a_line_break_in_a_title_separates_words() {
        assert_eq!(plain_text("Line\nbreak\t night"), "Line break night");
    }
}
