//! Which generator built the old site, and what its configuration says that hearth
//! keeps: title, base URL, description, language, time zone, raw HTML.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use toml::{Table, Value};

use super::frontmatter::as_text;
use super::source;

/// The generators `hearth import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generator {
    Jekyll,
    Hugo,
    Zola,
}

impl std::fmt::Display for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Generator::Jekyll => "Jekyll",
            Generator::Hugo => "Hugo",
            Generator::Zola => "Zola",
        })
    }
}

/// The old site's configuration, and what hearth keeps of it.
#[derive(Debug, Clone)]
pub struct OldSite {
    pub generator: Generator,
    pub config: Table,
    /// The configuration file, relative to SRC (none for a Jekyll site without one).
    pub config_file: Option<PathBuf>,
    pub title: Option<String>,
    pub base_url: Option<String>,
    pub description: Option<String>,
    pub language: String,
    pub timezone: Option<String>,
    /// Whether the old site showed raw HTML in markdown as written.
    pub raw_html: bool,
    /// Other configured languages (their files are translations).
    pub languages: Vec<String>,
}

const HUGO_FILES: &[&str] = &["hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"];
const CONFIG_FILES: &[&str] = &["config.toml", "config.yaml", "config.yml", "config.json"];
const JEKYLL_FILES: &[&str] = &["_config.yml", "_config.yaml", "_config.toml"];

/// Names the generator (or takes `from`) and reads its configuration.
pub fn load(src: &Path, files: &[PathBuf], from: Option<Generator>) -> Result<OldSite> {
    let top = |name: &str| files.iter().any(|f| f == Path::new(name));
    let first = |names: &[&str]| names.iter().find(|n| top(n)).map(PathBuf::from);
    let detected = match from {
        Some(g) => (g, config_for(g, src, &first)?),
        None => detect(src, &first)?,
    };
    let (generator, config_file) = detected;
    let config = match &config_file {
        Some(rel) => source::config_file(src, rel)?,
        None => Table::new(),
    };
    Ok(resolve(generator, config, config_file))
}

type First<'a> = dyn Fn(&[&str]) -> Option<PathBuf> + 'a;

fn detect(src: &Path, first: &First<'_>) -> Result<(Generator, Option<PathBuf>)> {
    if let Some(f) = first(JEKYLL_FILES) {
        return Ok((Generator::Jekyll, Some(f)));
    }
    if let Some(f) = first(HUGO_FILES) {
        return Ok((Generator::Hugo, Some(f)));
    }
    if let Some(f) = first(CONFIG_FILES) {
        let table = source::config_file(src, &f)?;
        if table.contains_key("base_url") {
            return Ok((Generator::Zola, Some(f)));
        }
        if table.contains_key("baseURL") || table.contains_key("baseurl") {
            return Ok((Generator::Hugo, Some(f)));
        }
    }
    bail!(
        "`{}` does not look like a Jekyll (_config.yml), Hugo (hugo.toml, or config.toml with baseURL) or Zola (config.toml with base_url) site; name the generator with --from",
        src.display()
    )
}

fn config_for(g: Generator, src: &Path, first: &First<'_>) -> Result<Option<PathBuf>> {
    let found = match g {
        Generator::Jekyll => first(JEKYLL_FILES),
        Generator::Hugo => first(HUGO_FILES).or_else(|| first(CONFIG_FILES)),
        Generator::Zola => first(&["config.toml"]),
    };
    if found.is_none() && g != Generator::Jekyll {
        bail!("`{}` has no {g} configuration file", src.display());
    }
    Ok(found)
}

fn text(config: &Table, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| config.get(*k).and_then(as_text))
}

fn resolve(generator: Generator, config: Table, config_file: Option<PathBuf>) -> OldSite {
    let (base_url, language, raw_html) = match generator {
        Generator::Jekyll => {
            let url = text(&config, &["url"]).unwrap_or_default();
            let base = text(&config, &["baseurl"]).unwrap_or_default();
            let joined = format!("{}{}", url.trim_end_matches('/'), base);
            let lang = text(&config, &["lang", "language", "locale"]);
            (Some(joined).filter(|u| !u.is_empty()), lang, true)
        }
        Generator::Hugo => {
            let lang = text(&config, &["defaultContentLanguage", "languageCode"]);
            let unsafe_html = config
                .get("markup")
                .and_then(|m| m.get("goldmark"))
                .and_then(|g| g.get("renderer"))
                .and_then(|r| r.get("unsafe"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            (text(&config, &["baseURL", "baseurl"]), lang, unsafe_html)
        }
        Generator::Zola => (
            text(&config, &["base_url"]),
            text(&config, &["default_language"]),
            true,
        ),
    };
    let language = language
        .map(|l| l.split(['-', '_']).next().unwrap_or("en").to_lowercase())
        .unwrap_or_else(|| "en".into());
    let languages = config
        .get("languages")
        .and_then(Value::as_table)
        .map(|t| t.keys().filter(|k| **k != language).cloned().collect())
        .unwrap_or_default();
    let title = text(&config, &["title"]).or_else(|| {
        config
            .get("languages")
            .and_then(|l| l.get(&language))
            .and_then(|l| l.get("title"))
            .and_then(as_text)
    });
    OldSite {
        generator,
        title,
        base_url,
        description: text(&config, &["description"]),
        language,
        timezone: text(&config, &["timezone", "timeZone"]),
        raw_html,
        languages,
        config,
        config_file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugo_config_keeps_title_base_url_and_language() {
        let config: Table = "baseURL = 'https://x.example/'\ntitle = 'X'\ndefaultContentLanguage = 'en-gb'\n[languages.fr]\ntitle = 'Xf'\n[languages.en-gb]\n"
            .parse()
            .expect("toml");
        let site = resolve(Generator::Hugo, config, None);
        assert_eq!(site.base_url.as_deref(), Some("https://x.example/"));
        assert_eq!(site.language, "en");
        assert!(site.languages.contains(&"fr".to_string()));
        assert!(!site.raw_html);
    }
}
