//! Writing the new site into DEST through [`crate::files`] (never through a link, never
//! over a file): `hearth.toml`, one content file per document with TOML front matter,
//! bundle files beside their page, member stubs, static files.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use toml::{Table, Value};

use super::detect::OldSite;
use super::plan::{Item, Planned, dest_path, picture};
use super::report::Report;
use super::{Kind, Options};
use crate::files;

pub fn write(opts: &Options, old: &OldSite, planned: &Planned, report: &mut Report) -> Result<()> {
    let dest = &opts.dest;
    let config = hearth_toml(old, report);
    new_file(dest, Path::new("hearth.toml"), config.as_bytes())?;
    for item in &planned.items {
        let text = document(item, report);
        new_file(dest, &dest_path(item), text.as_bytes())?;
        if let Some((dir, assets)) = &item.found.bundle {
            let folder = dest_path(item)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            for asset in assets {
                copy(opts, &dir.join(asset), &folder.join(asset), report)?;
            }
        }
    }
    for (slug, name) in &planned.stubs {
        let rel = PathBuf::from(format!("content/members/{slug}.md"));
        let text = format!("+++\nname = {}\n+++\n", Value::String(name.clone()));
        new_file(dest, &rel, text.as_bytes())?;
        report.stubs.push((slug.clone(), name.clone()));
    }
    for (from, to) in &planned.statics {
        if copy(opts, from, to, report)? {
            report.static_files += 1;
        }
    }
    Ok(())
}

fn new_file(dest: &Path, rel: &Path, bytes: &[u8]) -> Result<()> {
    files::open(dest, rel, files::Mode::New)?
        .write_all(bytes)
        .with_context(|| format!("cannot write `{}`", dest.join(rel).display()))
}

/// Copies a file of SRC into DEST; a file that cannot be read is reported. `false`
/// when nothing was copied.
fn copy(opts: &Options, from: &Path, to: &Path, report: &mut Report) -> Result<bool> {
    match files::read(&opts.src, from) {
        Ok(bytes) => match files::open(&opts.dest, to, files::Mode::New) {
            Ok(mut f) => {
                f.write_all(&bytes)
                    .with_context(|| format!("cannot write `{}`", opts.dest.join(to).display()))?;
                Ok(true)
            }
            Err(e) => {
                report
                    .refused
                    .push((from.to_path_buf(), format!("not copied: {e:#}")));
                Ok(false)
            }
        },
        Err(e) => {
            report.refused.push((from.to_path_buf(), e.to_string()));
            Ok(false)
        }
    }
}

/// `hearth.toml` from the old configuration.
fn hearth_toml(old: &OldSite, report: &mut Report) -> String {
    let config = old.config_file.clone().unwrap_or_default();
    let title = old.title.clone().unwrap_or_else(|| "My community".into());
    let base_url = match old.base_url.as_deref().map(str::trim) {
        Some(u) if u.starts_with("http://") || u.starts_with("https://") => u.to_string(),
        other => {
            report.note(
                &config,
                None,
                format!(
                    "no absolute base URL ({}): hearth.toml says https://example.org, set yours",
                    other.unwrap_or("none")
                ),
            );
            "https://example.org".into()
        }
    };
    let mut out = String::new();
    let line = |out: &mut String, k: &str, v: &str| {
        out.push_str(&format!("{k} = {}\n", Value::String(v.to_string())));
    };
    line(&mut out, "title", &title);
    line(&mut out, "base_url", &base_url);
    if let Some(d) = &old.description {
        line(&mut out, "description", d.trim());
    }
    line(&mut out, "language", &old.language);
    match old.timezone.as_deref() {
        Some(tz) if jiff::tz::TimeZone::get(tz).is_ok() => line(&mut out, "timezone", tz),
        Some(tz) => report.note(
            &config,
            None,
            format!("unknown time zone `{tz}`: left out of hearth.toml"),
        ),
        None => {}
    }
    if old.raw_html {
        out.push_str("\n# The old site showed raw HTML in markdown as written; so does this one.\n[markdown]\nunsafe_html = true\n");
    }
    out
}

/// One content file: TOML front matter in hearth's keys, then the body.
fn document(item: &Item, report: &mut Report) -> String {
    let m = &item.mapped;
    let mut keys: Vec<(String, Value)> = Vec::new();
    let has = |k: &str| m.keys.iter().any(|(key, _)| *key == k);
    let title_key = if item.kind == Kind::Member {
        "name"
    } else {
        "title"
    };
    if !has(title_key) {
        let made = item.slug.replace('-', " ");
        report.note(
            &item.found.rel,
            None,
            format!("no {title_key}: made one from the file name, `{made}`"),
        );
        keys.push((title_key.into(), Value::String(made)));
    }
    for (k, v) in &m.keys {
        keys.push(((*k).into(), v.clone()));
        if *k == "title" || *k == "name" {
            date_keys(item, &mut keys);
        }
    }
    if !has(title_key) {
        date_keys(item, &mut keys);
    }
    let mut extra = m.extra.clone();
    if let Some(p) = &m.picture {
        let key = if item.kind == Kind::Member {
            "avatar"
        } else {
            "image"
        };
        match picture(p, item).filter(|_| item.kind != Kind::Event && item.kind != Kind::Page) {
            Some(url) => keys.push((key.into(), Value::String(url))),
            None => {
                extra.insert(key.into(), Value::String(p.clone()));
            }
        }
    }
    let people_key = if item.kind == Kind::Event {
        "organizers"
    } else {
        "authors"
    };
    if !item.people.is_empty() && matches!(item.kind, Kind::Post | Kind::Event) {
        let list = item.people.iter().cloned().map(Value::String).collect();
        keys.push((people_key.into(), Value::Array(list)));
    }
    if !item.aliases.is_empty() {
        let list = item.aliases.iter().cloned().map(Value::String).collect();
        keys.push(("aliases".into(), Value::Array(list)));
    }
    let mut out = String::from("+++\n");
    for (k, v) in &keys {
        out.push_str(&format!("{k} = {v}\n"));
    }
    if !extra.is_empty() {
        let mut wrapper = Table::new();
        wrapper.insert("extra".into(), Value::Table(extra));
        match toml::to_string(&wrapper) {
            Ok(text) => {
                out.push('\n');
                out.push_str(&text);
            }
            Err(e) => report.note(
                &item.found.rel,
                None,
                format!("free fields could not be kept: {e}"),
            ),
        }
    }
    out.push_str("+++\n");
    out.push_str(&item.body);
    out
}

/// A post's `date` or an event's `start`, after the title.
fn date_keys(item: &Item, keys: &mut Vec<(String, Value)>) {
    let key = match item.kind {
        Kind::Post => "date",
        Kind::Event => "start",
        _ => return,
    };
    if let Some(d) = &item.date {
        keys.push((key.into(), d.to_toml()));
    }
}
