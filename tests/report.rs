//! `hearth report` over the example site: the counts of every month are those the
//! content files give (computed here from the files themselves), and the HTML passes
//! the Nu HTML checker, draws its charts in SVG and loads nothing from elsewhere.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{NOW, Site, hearth, repo_root};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

const ZONE: &str = "Europe/Zurich";

/// A month's counts as the report's text summary prints them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Counts {
    posts: usize,
    authors: usize,
    held: usize,
    in_person: usize,
    hybrid: usize,
    online: usize,
    upcoming: usize,
    cancelled: usize,
    members: usize,
    spotlights: usize,
    issues: usize,
}

fn example() -> Site {
    Site::copy_of(&repo_root().join("example-site"))
}

/// The front matter of a content file (TOML or YAML) as JSON.
fn front_matter(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("read");
    let (fence, rest) = if let Some(rest) = text.strip_prefix("+++\n") {
        ("+++", rest)
    } else {
        ("---", text.strip_prefix("---\n").expect("front matter"))
    };
    let head = &rest[..rest.find(&format!("\n{fence}")).expect("closing fence")];
    if fence == "+++" {
        let value: toml::Value = toml::from_str(head).expect("toml");
        serde_json::to_value(value).expect("json")
    } else {
        serde_yaml_ng::from_str(head).expect("yaml")
    }
}

/// Every markdown file of a section: `x.md` and `x/index.md`.
fn documents(site: &Path, section: &str) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(site.join("content").join(section))
        .into_iter()
        .map(|e| e.expect("walk").into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect()
}

/// A date or date-time as written, as an instant in the site's zone (`zone` for a
/// wall-clock time).
fn instant(text: &str, zone: &str) -> Zoned {
    let site = TimeZone::get(ZONE).expect("zone");
    if let Ok(ts) = text.parse::<Timestamp>() {
        return ts.to_zoned(site);
    }
    let local: DateTime = match text.parse::<jiff::civil::Date>() {
        Ok(d) => d.at(0, 0, 0, 0),
        Err(_) => text.parse().expect("a date-time"),
    };
    local
        .to_zoned(TimeZone::get(zone).expect("zone"))
        .expect("in range")
        .with_time_zone(site)
}

fn month(z: &Zoned) -> String {
    z.strftime("%Y-%m").to_string()
}

/// A string, or a TOML date as text (serde gives TOML dates as a one-key object).
fn text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) if o.len() == 1 => o.values().next().and_then(text),
        _ => None,
    }
}

fn expected_from_files(site: &Path) -> BTreeMap<String, Counts> {
    let now: Timestamp = NOW.parse().expect("now");
    let today = now.to_zoned(TimeZone::get(ZONE).expect("zone")).date();
    let mut months: BTreeMap<String, Counts> = BTreeMap::new();
    let mut authors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in documents(site, "posts") {
        let fm = front_matter(&path);
        if fm["draft"] == true {
            continue;
        }
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let name = if name == "index.md" {
            path.parent()
                .and_then(|p| p.file_name())
                .expect("bundle")
                .to_string_lossy()
                .to_string()
        } else {
            name
        };
        let date = text(&fm["date"]).unwrap_or_else(|| name[..10].to_string());
        let at = instant(&date, ZONE);
        if at.timestamp() > now {
            continue;
        }
        months.entry(month(&at)).or_default().posts += 1;
        let names = fm["authors"].as_array().cloned().unwrap_or_default();
        authors
            .entry(month(&at))
            .or_default()
            .extend(names.iter().filter_map(text));
    }
    for (key, names) in authors {
        months.entry(key).or_default().authors = names.len();
    }
    for path in documents(site, "events") {
        let fm = front_matter(&path);
        let zone = text(&fm["timezone"]).unwrap_or_else(|| ZONE.to_string());
        let at = instant(&text(&fm["start"]).expect("start"), &zone);
        let m = months.entry(month(&at)).or_default();
        let (place, online) = (fm["location"].is_string(), fm["online"].is_string());
        if fm["status"] == "cancelled" {
            m.cancelled += 1;
        } else if at.timestamp() > now {
            m.upcoming += 1;
        } else {
            m.held += 1;
            match (place, online) {
                (true, true) => m.hybrid += 1,
                (false, true) => m.online += 1,
                _ => m.in_person += 1,
            }
        }
    }
    for path in documents(site, "members") {
        let fm = front_matter(&path);
        let day = |key: &str| text(&fm[key]).map(|d| d.parse::<jiff::civil::Date>().expect("date"));
        if let Some(joined) = day("joined").filter(|d| *d <= today) {
            months
                .entry(joined.strftime("%Y-%m").to_string())
                .or_default()
                .members += 1;
        }
        if let Some(spot) = day("spotlight").filter(|d| *d <= today) {
            months
                .entry(spot.strftime("%Y-%m").to_string())
                .or_default()
                .spotlights += 1;
        }
    }
    let record = std::fs::read_to_string(site.join("newsletter/issues.toml")).expect("issues");
    let record: toml::Value = toml::from_str(&record).expect("toml");
    for issue in record["issue"].as_array().expect("issues") {
        let at = instant(issue["date"].as_str().expect("date"), ZONE);
        months.entry(month(&at)).or_default().issues += 1;
    }
    months
}

/// The numbers of each month line of the text summary, by month (`2026-11`).
fn month_rows(stdout: &str) -> BTreeMap<String, Vec<usize>> {
    stdout
        .lines()
        .filter(|l| {
            l.len() > 7 && l.as_bytes()[4] == b'-' && l[..4].chars().all(|c| c.is_ascii_digit())
        })
        .map(|l| {
            let f: Vec<usize> = l
                .split_whitespace()
                .skip(1)
                .map(|n| n.parse().expect("number"))
                .collect();
            (l[..7].to_string(), f)
        })
        .collect()
}

/// The month lines of the text summary.
fn printed(stdout: &str) -> BTreeMap<String, Counts> {
    month_rows(stdout)
        .into_iter()
        .map(|(month, f)| {
            let c = Counts {
                posts: f[0],
                authors: f[1],
                held: f[2],
                in_person: f[3],
                hybrid: f[4],
                online: f[5],
                upcoming: f[6],
                cancelled: f[7],
                members: f[8],
                spotlights: f[9],
                issues: f[10],
            };
            (month, c)
        })
        .collect()
}

#[test]
fn every_month_counts_what_the_files_hold() {
    let site = example();
    let dir = site.path().to_str().expect("utf-8");
    let run = hearth(&["report", dir, "--since", "2019-01-01", "--now", NOW]);
    run.success();
    let printed = printed(&run.stdout);
    let expected = expected_from_files(site.path());
    assert!(
        printed.len() > 90,
        "every month from January 2019 on: {}",
        run.stdout
    );
    for (key, counts) in &printed {
        let want = expected.get(key).cloned().unwrap_or_default();
        assert_eq!(counts, &want, "{key}:\n{}", run.stdout);
    }
    for key in expected.keys() {
        assert!(
            printed.contains_key(key),
            "month {key} is missing:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("subscribers: "), "{}", run.stdout);
    assert!(run.stdout.contains("no click tracking"), "{}", run.stdout);
    assert!(site.path().join(".hearth/report.html").is_file());
}

#[test]
fn since_starts_the_report_at_its_month() {
    let site = example();
    let dir = site.path().to_str().expect("utf-8");
    let run = hearth(&["report", dir, "--since", "2026-10-15", "--now", NOW]);
    run.success();
    let months: Vec<String> = printed(&run.stdout).into_keys().collect();
    assert_eq!(
        months.first().map(String::as_str),
        Some("2026-10"),
        "{}",
        run.stdout
    );
    hearth(&["report", dir, "--since", "October"]).failure(2);
}

#[test]
fn the_html_report_is_valid_self_contained_and_has_charts() {
    let site = example();
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("report.html");
    let dir = site.path().to_str().expect("utf-8");
    hearth(&[
        "report",
        dir,
        "--out",
        file.to_str().expect("utf-8"),
        "--now",
        NOW,
    ])
    .success();
    let html = std::fs::read_to_string(&file).expect("report");
    assert!(html.matches("<svg").count() >= 3, "charts in SVG");
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(html.contains("prefers-color-scheme: dark") && html.contains("@media print"));
    assert!(html.contains("No readers are tracked"));
    for link in common::links(&html) {
        assert!(
            !link.contains("//") || link.starts_with("https://lakeside-tech.example.org"),
            "only the site's own links: {link}"
        );
    }
    assert!(!html.contains("url("), "no outside stylesheet resources");
    let jar = repo_root().join("tests/tools/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.is_file(),
        "run `npm ci --prefix tests/tools` for the Nu HTML checker"
    );
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .arg(&file)
        .output()
        .expect("java runs (install a JRE: default-jre-headless)");
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "Nu HTML checker errors:\n{report}"
    );
}

/// The `joined left bounced` columns of the text summary, by month.
fn list_columns(stdout: &str) -> BTreeMap<String, [usize; 3]> {
    month_rows(stdout)
        .into_iter()
        .map(|(month, f)| (month, [f[11], f[12], f[13]]))
        .collect()
}

#[test]
fn signups_leavers_and_bounces_are_counted_by_month_and_joins_are_on_the_list() {
    let site = example();
    // Two signups in October and one in November, through the endpoint; one of the
    // October ones left in November, another address bounced; a hand-written line
    // carries no time and counts in no month.
    site.write(
        "newsletter/joined.csv",
        "time,email,name,source,consent\n\
         2026-10-03T10:00:00Z,new1@example.org,New One,endpoint,yes\n\
         2026-10-20T10:00:00Z,new2@example.org,New Two,endpoint,yes\n\
         2026-11-02T10:00:00Z,new3@example.org,New Three,endpoint,yes\n",
    );
    let before =
        std::fs::read_to_string(site.path().join("newsletter/suppressed.txt")).unwrap_or_default();
    site.write(
        "newsletter/suppressed.txt",
        format!(
            "{before}new1@example.org # 2026-11-05T08:00:00Z unsubscribed (one-click)\n\
             gone@example.org # 2026-11-06T08:00:00Z hard bounce: 550 no such user\n\
             by-hand@example.org\n"
        ),
    );
    let dir = site.path().to_str().expect("utf-8");
    let run = hearth(&["report", dir, "--since", "2026-09-01", "--now", NOW]);
    run.success();
    let months = list_columns(&run.stdout);
    assert_eq!(months.get("2026-09"), Some(&[0, 0, 0]), "{}", run.stdout);
    assert_eq!(months.get("2026-10"), Some(&[2, 0, 0]), "{}", run.stdout);
    assert_eq!(months.get("2026-11"), Some(&[1, 1, 1]), "{}", run.stdout);

    // On the list now: the file's people and the two signups that stand.
    let csv = std::fs::read_to_string(site.path().join("subscribers.csv")).expect("csv");
    let on_file = csv.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
    let listed = format!("subscribers: {} on the list", on_file + 2);
    assert!(run.stdout.contains(&listed), "{listed}:\n{}", run.stdout);
    let html = std::fs::read_to_string(site.path().join(".hearth/report.html")).expect("html");
    assert!(html.contains("joined, left and bounced"), "no list chart");
}
