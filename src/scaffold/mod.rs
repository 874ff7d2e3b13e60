//! `hearth init` and `hearth new`: a working starter site, and new content files
//! with their front matter filled in, from templates embedded in the binary.

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

/// Writes a new content file of `kind` titled `title` into the site; never replaces
/// a file. Returns its path.
pub fn new(
    site_dir: &Path,
    kind: Kind,
    title: &str,
    today: Date,
    timezone: &str,
) -> Result<PathBuf> {
    let Some(slug) = Slug::from_text(title) else {
        bail!("cannot make a file name from the title `{title}`: use a few words");
    };
    // A long title makes a long file name and URL; the first words are enough.
    let slug: String = slug.as_str().chars().take(MAX_SLUG_CHARS).collect();
    let slug = slug.trim_end_matches('-');
    let (rel, template) = match kind {
        Kind::Post => (format!("content/posts/{today}-{slug}.md"), POST),
        Kind::Member => (format!("content/members/{slug}.md"), MEMBER),
        Kind::Event => (format!("content/events/{slug}.md"), EVENT),
        Kind::Page => (format!("content/pages/{slug}.md"), PAGE),
    };
    // Authors and organizers are for the writer to fill in: an empty list builds.
    let text = Fill {
        title,
        body: NEW_POST,
        today,
        timezone,
        member: "",
    }
    .apply(template)
    .replace("authors = [\"\"]", "authors = []")
    .replace("organizers = [\"\"]", "organizers = []");
    let path = site_dir.join(&rel);
    if path.symlink_metadata().is_ok() {
        bail!(
            "`{}` already exists; hearth new never replaces a file (choose another title)",
            path.display()
        )
    }
    // Never through a link: `content/posts -> ~` must not put a file in the home.
    let mut file = files::open(site_dir, Path::new(&rel), files::Mode::New)?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
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
