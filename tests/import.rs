//! `hearth import` over small copies of real sites (tests/fixtures/import/*, each with
//! its SOURCE.md): the import succeeds without touching SRC, the result builds, nearly
//! every content file becomes a page with its title, every old URL written in front
//! matter is kept as an alias, and no template syntax reaches a page unreported.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{NOW, hearth, repo_root, snapshot};
use hearth::import::source::parse_doc;

struct Imported {
    dest: tempfile::TempDir,
    report: String,
}

impl Imported {
    fn site(&self) -> PathBuf {
        self.dest.path().join("site")
    }
}

fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/import").join(name)
}

/// Imports a fixture (SRC checked unchanged) and builds the result with drafts.
fn import_and_build(name: &str, extra: &[&str]) -> Imported {
    let src = fixture(name);
    let before = snapshot(&src);
    let dest = tempfile::tempdir().expect("temp");
    let site = dest.path().join("site");
    let mut args = vec![
        "import",
        src.to_str().expect("utf-8"),
        site.to_str().expect("utf-8"),
        "--now",
        NOW,
    ];
    args.extend_from_slice(extra);
    let run = hearth(&args);
    run.success();
    assert_eq!(snapshot(&src), before, "the import changed SRC");
    let built = hearth(&[
        "build",
        site.to_str().expect("utf-8"),
        "--now",
        NOW,
        "--drafts",
    ]);
    built.success();
    assert!(
        !built.stderr.contains("unknown key"),
        "the import wrote keys hearth does not know:\n{}",
        built.stderr
    );
    Imported {
        dest,
        report: run.stdout.clone(),
    }
}

/// Markdown files of the old site that are content (a section's own list page and
/// the home page's text are drawn by hearth's theme instead).
fn content_files(src: &Path, roots: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        for e in walkdir::WalkDir::new(src.join(root)).into_iter().flatten() {
            let rel = e.path().strip_prefix(src.join(root)).expect("inside");
            let is_md = rel.extension().is_some_and(|x| x == "md");
            let is_list =
                rel.file_name().is_some_and(|n| n == "_index.md") && rel.components().count() <= 2;
            if e.file_type().is_file() && is_md && !is_list {
                out.push(e.path().to_path_buf());
            }
        }
    }
    out
}

/// Front matter of every content file of DEST: (path under content/, table).
fn dest_documents(site: &Path) -> Vec<(PathBuf, toml::Table)> {
    walkdir::WalkDir::new(site.join("content"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).expect("read");
            let doc = parse_doc(&text).ok().flatten().expect("front matter");
            let rel = e.path().strip_prefix(site.join("content")).expect("inside");
            (rel.to_path_buf(), doc.front)
        })
        .collect()
}

/// The built page of a DEST content file.
fn built_page(site: &Path, rel: &Path) -> Option<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let section = parts.remove(0);
    let slug = if parts.last().is_some_and(|l| l == "index.md") {
        parts[0].clone()
    } else {
        parts[0].trim_end_matches(".md").to_string()
    };
    let path = match section.as_str() {
        "pages" => site.join("public").join(&slug).join("index.html"),
        s => site.join("public").join(s).join(&slug).join("index.html"),
    };
    std::fs::read_to_string(path).ok()
}

fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        // Typographic quotes from the markdown renderer's smart punctuation.
        .replace(['“', '”'], "\"")
        .replace(['‘', '’'], "'")
}

/// Content files whose title is on their built page, over the old site's content files.
fn share_built_with_title(imported: &Imported, src_count: usize) -> f64 {
    let site = imported.site();
    let stubs: BTreeSet<String> = imported
        .report
        .lines()
        .filter_map(|l| l.trim().strip_prefix("content/members/"))
        .filter_map(|l| l.split(".md").next().map(str::to_string))
        .collect();
    let mut built = 0;
    for (rel, front) in dest_documents(&site) {
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if rel.starts_with("members") && stubs.contains(&stem) {
            continue;
        }
        let title = front
            .get("title")
            .or_else(|| front.get("name"))
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_string();
        let page = built_page(&site, &rel).map(|p| unescape(&p));
        if page.is_some_and(|p| !title.is_empty() && p.contains(&title)) {
            built += 1;
        } else {
            eprintln!("not built with its title: {}", rel.display());
        }
    }
    built as f64 / src_count as f64
}

/// `releases/1.44.1` → `/releases/1.44.1`; `https://x/a/` → `/a/`.
fn site_path(url: &str) -> String {
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    let mut out = String::from("/");
    out.push_str(
        &path
            .split('/')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("/"),
    );
    if path.ends_with('/') && out.len() > 1 {
        out.push('/');
    }
    out
}

/// Every old URL written in the old site's front matter (under `keys`) is an alias in
/// the new one, or the new URL itself.
fn assert_old_urls_kept(imported: &Imported, files: &[PathBuf], keys: &[&str]) {
    let aliases: BTreeSet<String> = dest_documents(&imported.site())
        .into_iter()
        .flat_map(|(_, f)| {
            f.get("aliases")
                .and_then(toml::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect();
    let mut missing = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("read");
        let Some(doc) = parse_doc(&text).ok().flatten() else {
            continue;
        };
        for key in keys {
            let values: Vec<String> = match doc.front.get(*key) {
                Some(toml::Value::String(s)) => vec![s.clone()],
                Some(toml::Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            for v in values {
                let want = site_path(&v);
                let lower = want.to_lowercase();
                // An old URL equal to the new one needs no alias: the page is there.
                let page = imported
                    .site()
                    .join("public")
                    .join(lower.trim_matches('/'))
                    .join("index.html");
                let kept = [&want, &lower, &format!("{want}/")]
                    .iter()
                    .any(|u| aliases.contains(*u));
                if !kept && !page.is_file() {
                    missing.push(format!("{}: {key} {want}", file.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "old URLs not kept as aliases:\n{}",
        missing.join("\n")
    );
}

/// Every alias of every imported item answers in the built site: a redirect page
/// at the old path whose target is a built page.
fn assert_aliases_answer(imported: &Imported) {
    let public = imported.site().join("public");
    let mut broken = Vec::new();
    let mut count = 0;
    for (path, front) in dest_documents(&imported.site()) {
        let aliases = front.get("aliases").and_then(toml::Value::as_array);
        for alias in aliases
            .into_iter()
            .flatten()
            .filter_map(toml::Value::as_str)
        {
            count += 1;
            let rel = alias.trim_start_matches('/');
            let file = if rel.ends_with(".html") || rel.ends_with(".htm") {
                public.join(rel)
            } else {
                public.join(rel).join("index.html")
            };
            let Ok(html) = std::fs::read_to_string(&file) else {
                broken.push(format!(
                    "{}: {alias}: no page at the old URL",
                    path.display()
                ));
                continue;
            };
            let target = html
                .split("http-equiv=\"refresh\" content=\"0; url=")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(site_path);
            let answers = target.as_deref().is_some_and(|t| {
                let t = t.trim_start_matches('/');
                public.join(t).is_file() || public.join(t).join("index.html").is_file()
            });
            if !answers {
                broken.push(format!("{}: {alias} -> {target:?}", path.display()));
            }
        }
    }
    assert!(count > 0, "no aliases were imported");
    assert!(
        broken.is_empty(),
        "old URLs that do not answer:\n{}",
        broken.join("\n")
    );
}

/// Template syntax on a built page (outside code) must be named in the report.
fn assert_no_unreported_templates(imported: &Imported) {
    let public = imported.site().join("public");
    let mut unreported = Vec::new();
    for (rel, bytes) in snapshot(&public) {
        if rel.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        let text = unescape(&strip_code(&html));
        for opener in ["{{<", "{{%", "{%", "{{ "] {
            let mut rest = text.as_str();
            while let Some(i) = rest.find(opener) {
                let snippet: String = rest[i..].chars().take(12).collect();
                if !imported.report.contains(&snippet) {
                    unreported.push(format!("{}: {snippet}", rel.display()));
                }
                rest = &rest[i + opener.len()..];
            }
        }
    }
    assert!(
        unreported.is_empty(),
        "template text not in the report:\n{}",
        unreported.join("\n")
    );
}

/// The page without `<pre>` and `<code>` elements, where template syntax is an example.
fn strip_code(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    loop {
        let next = ["<pre", "<code"]
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min();
        let Some((i, tag)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let close = if tag == "<pre" { "</pre>" } else { "</code>" };
        match rest[i..].find(close) {
            Some(end) => rest = &rest[i + end + close.len()..],
            None => return out,
        }
    }
}

#[test]
fn a_jekyll_community_site_moves_over_with_its_urls() {
    let imported = import_and_build("jekyll-opensourcedesign", &[]);
    let src = fixture("jekyll-opensourcedesign");
    let files: Vec<PathBuf> = ["_posts", "_drafts", "_events", "_people"]
        .iter()
        .flat_map(|d| content_files(&src, &[d]))
        .chain(
            [
                "faq.md",
                "code-of-conduct.md",
                "goals.md",
                "people.md",
                "contribute.md",
            ]
            .map(|f| src.join(f)),
        )
        .collect();
    let share = share_built_with_title(&imported, files.len());
    assert!(
        share >= 0.95,
        "only {share:.2} of the content built with its title\n{}",
        imported.report
    );
    assert_old_urls_kept(&imported, &files, &["permalink", "redirect_from"]);
    assert_aliases_answer(&imported);
    assert_no_unreported_templates(&imported);
    let post = std::fs::read_to_string(
        imported
            .site()
            .join("content/posts/osd-nyc-first-meetup.md"),
    )
    .expect("post");
    // Jekyll's default `date` permalink: categories, date, file name.
    assert!(post.contains("/open-source/communities/collaboration/meetups/mind-mapping/2017/10/31/osd-nyc-first-meetup.html"), "{post}");
    assert!(
        imported.report.contains("people.md:12: not converted"),
        "{}",
        imported.report
    );
    // Layouts, includes and HTML pages drawn by layouts are not content.
    assert!(!imported.site().join("static/_layouts").exists());
    assert!(!imported.site().join("static/index.html").exists());
    assert!(
        imported
            .site()
            .join("static/images/opensourcedesign-logo.svg")
            .is_file()
    );
    assert!(
        imported
            .site()
            .join("public/images/opensourcedesign-logo.svg")
            .is_file()
    );
}

#[test]
fn a_hugo_community_site_moves_over_with_permalinks_and_bundles() {
    let imported = import_and_build("hugo-kubernetes-contributors", &[]);
    let src = fixture("hugo-kubernetes-contributors");
    let files = content_files(&src, &["content/en"]);
    let share = share_built_with_title(&imported, files.len());
    assert!(
        share >= 0.95,
        "only {share:.2} of the content built with its title\n{}",
        imported.report
    );
    assert_old_urls_kept(&imported, &files, &["url", "aliases"]);
    assert_aliases_answer(&imported);
    assert_no_unreported_templates(&imported);
    let site = imported.site();
    let story = std::fs::read_to_string(site.join("content/posts/contributor-stories-series.md"))
        .expect("post");
    assert!(
        story.contains("\"/blog/2021/05/14/contributor-stories-series/\""),
        "{story}"
    );
    assert!(story.contains("authors = [\"matt-broberg\"]"), "{story}");
    // A leaf bundle keeps its files beside it, linked by name instead of old URL.
    let kwok = std::fs::read_to_string(site.join("content/posts/introducing-kwok/index.md"))
        .expect("bundle");
    assert!(
        site.join("content/posts/introducing-kwok/kwok.svg")
            .is_file()
    );
    assert!(kwok.contains("src=\"kwok.svg\""), "{kwok}");
    assert!(
        site.join("public/posts/introducing-kwok/kwok.svg")
            .is_file()
    );
    // Files of the content folder outside bundles stay at their old paths.
    assert!(
        site.join("static/blog/2021/improve-with-mermaid-diagrams/mermaid-blog-outline.svg")
            .is_file()
    );
    assert!(!site.join("static/layouts").exists() && !site.join("layouts").exists());
}

#[test]
fn a_zola_blog_moves_over_with_paths_and_aliases() {
    let imported = import_and_build("zola-rust-blog", &["--posts", "content"]);
    let src = fixture("zola-rust-blog");
    let files = content_files(&src, &["content"]);
    let share = share_built_with_title(&imported, files.len());
    assert!(
        share >= 0.95,
        "only {share:.2} of the content built with its title\n{}",
        imported.report
    );
    assert_old_urls_kept(&imported, &files, &["path", "aliases"]);
    assert_aliases_answer(&imported);
    assert_no_unreported_templates(&imported);
    let post = std::fs::read_to_string(imported.site().join("content/posts/rust-1-44-1.md"))
        .expect("post");
    assert!(post.contains("date = 2020-06-18"), "{post}");
    assert!(post.contains("\"/2020/06/18/Rust.1.44.1/\""), "{post}");
    assert!(post.contains("\"/releases/1.44.1\""), "{post}");
    // Two files with the same path name get two slugs.
    assert!(
        imported
            .site()
            .join("content/posts/changes-in-the-core-team-2.md")
            .is_file()
    );
    assert!(
        imported
            .site()
            .join("content/posts/gats-stabilization-push/gats-reactions.png")
            .is_file()
    );
}

#[test]
fn a_non_empty_dest_is_refused_and_left_alone() {
    let dest = tempfile::tempdir().expect("temp");
    std::fs::write(dest.path().join("keep.txt"), "mine").expect("write");
    let src = fixture("zola-rust-blog");
    let run = hearth(&[
        "import",
        src.to_str().expect("utf-8"),
        dest.path().to_str().expect("utf-8"),
    ]);
    run.failure(1);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(snapshot(dest.path()).len(), 1);
}

#[test]
fn dest_inside_src_is_refused() {
    let src = common::Site::fixture("import/zola-rust-blog");
    let dest = src.path().join("new");
    let run = hearth(&[
        "import",
        src.path().to_str().expect("utf-8"),
        dest.to_str().expect("utf-8"),
    ]);
    run.failure(1);
    assert!(!dest.exists());
}

#[test]
fn links_out_of_src_are_refused_and_named_and_translations_reported() {
    let src = tempfile::tempdir().expect("temp");
    let outside = tempfile::tempdir().expect("temp");
    std::fs::write(outside.path().join("secret.png"), "secret").expect("write");
    let write = |rel: &str, text: &str| {
        let p = src.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write(
        "hugo.toml",
        "baseURL = 'https://club.example/'\ntitle = 'Club'\n",
    );
    write(
        "content/posts/hello/index.md",
        "---\ntitle: Hello\ndate: 2024-01-02\n---\n{{< youtube abc123 >}}\n",
    );
    write("content/posts/hello/index.es.md", "---\ntitle: Hola\n---\n");
    write("content/about.fr.md", "---\ntitle: À propos\n---\n");
    std::os::unix::fs::symlink(outside.path(), src.path().join("static")).expect("link");
    let dest = tempfile::tempdir().expect("temp");
    let site = dest.path().join("site");
    let run = hearth(&[
        "import",
        src.path().to_str().expect("utf-8"),
        site.to_str().expect("utf-8"),
    ]);
    run.success();
    assert!(run.stdout.contains("Refused"), "{}", run.stdout);
    assert!(run.stdout.contains("static"), "{}", run.stdout);
    assert!(
        run.stdout.contains("content/posts/hello/index.es.md"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("content/about.fr.md"), "{}", run.stdout);
    assert!(!site.join("static/secret.png").exists());
    let post = std::fs::read_to_string(site.join("content/posts/hello.md")).expect("post");
    assert!(
        post.contains("https://www.youtube.com/watch?v=abc123"),
        "{post}"
    );
    hearth(&["build", site.to_str().expect("utf-8"), "--now", NOW]).success();
}
