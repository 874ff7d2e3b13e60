//! The community report as one HTML file: tables and inline SVG bar charts, with no
//! JavaScript and nothing loaded from elsewhere, readable in dark mode and in print.

use std::fmt::Write as _;

use super::report::{Month, Report};
use crate::render::escape_html as esc;

/// One row of bars in a chart: a name for the legend, a CSS class for its colour.
struct Series<'a> {
    name: &'a str,
    class: &'a str,
    values: Vec<usize>,
}

/// The whole report page.
pub fn to_html(report: &Report) -> String {
    let mut html = String::new();
    let title = format!("{}: community report", report.title);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(&title)
    );
    let (from, to) = range(report);
    let _ = write!(
        html,
        "<h1>{}</h1>\n<p class=\"lead\">{from} to {to}, from the files of <a href=\"{}/\">{}</a>; made {} ({}).</p>\n",
        esc(&title),
        esc(&report.base_url),
        esc(&report.base_url),
        esc(&crate::model::time::human_date(&report.now)),
        esc(&report.timezone),
    );
    html.push_str(PRIVACY);
    html.push_str(&totals(report));
    html.push_str(&charts(report));
    html.push_str(&month_table(&report.months));
    html.push_str(&issue_table(report));
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

const PRIVACY: &str = "<p class=\"privacy\"><strong>No readers are tracked.</strong> hearth puts no pixels in its emails, rewrites no links for click tracking and counts no visits, and it never will. Everything here comes from the site's own files and send records.</p>\n";

fn range(report: &Report) -> (String, String) {
    let label = |m: Option<&Month>| m.map(|m| month_label(m, true)).unwrap_or_default();
    (label(report.months.first()), label(report.months.last()))
}

fn month_label(month: &Month, long: bool) -> String {
    let format = if long { "%B %Y" } else { "%b %y" };
    month.start.strftime(format).to_string()
}

fn totals(report: &Report) -> String {
    let sum = |f: &dyn Fn(&Month) -> usize| report.months.iter().map(f).sum::<usize>();
    let mut out = String::from(
        "<section aria-labelledby=\"totals\">\n<h2 id=\"totals\">In short</h2>\n<ul class=\"totals\">\n",
    );
    let items = [
        (sum(&|m| m.posts), "posts published"),
        (sum(&|m| m.held.total()), "events held"),
        (sum(&|m| m.upcoming.total()), "events upcoming"),
        (sum(&|m| m.new_members), "new members"),
        (sum(&|m| m.spotlights), "spotlights"),
        (sum(&|m| m.issues), "newsletter issues"),
    ];
    for (n, what) in items {
        let _ = writeln!(out, "<li><span class=\"n\">{n}</span> {what}</li>");
    }
    if let Some(list) = report.list {
        let _ = writeln!(
            out,
            "<li><span class=\"n\">{}</span> subscribers</li>\n<li><span class=\"n\">{}</span> suppressed (left or bounced)</li>",
            list.subscribers, list.suppressed
        );
    }
    out.push_str("</ul>\n</section>\n");
    out
}

fn charts(report: &Report) -> String {
    let months = &report.months;
    let labels: Vec<String> = months.iter().map(|m| month_label(m, false)).collect();
    let pick = |f: fn(&Month) -> usize| months.iter().map(f).collect::<Vec<_>>();
    let mut out = String::from(
        "<section aria-labelledby=\"charts\">\n<h2 id=\"charts\">Month by month</h2>\n<div class=\"charts\">\n",
    );
    out.push_str(&chart(
        "posts",
        "Posts published",
        &labels,
        &[
            Series {
                name: "posts",
                class: "s1",
                values: pick(|m| m.posts),
            },
            Series {
                name: "different authors",
                class: "s2",
                values: pick(|m| m.authors),
            },
        ],
        false,
    ));
    out.push_str(&chart(
        "events",
        "Events, held and upcoming",
        &labels,
        &[
            Series {
                name: "held in person",
                class: "s1",
                values: pick(|m| m.held.in_person),
            },
            Series {
                name: "held hybrid",
                class: "s3",
                values: pick(|m| m.held.hybrid),
            },
            Series {
                name: "held online",
                class: "s2",
                values: pick(|m| m.held.online),
            },
            Series {
                name: "upcoming",
                class: "s5",
                values: pick(|m| m.upcoming.total()),
            },
        ],
        true,
    ));
    out.push_str(&chart(
        "people",
        "New members and spotlights",
        &labels,
        &[
            Series {
                name: "new members",
                class: "s1",
                values: pick(|m| m.new_members),
            },
            Series {
                name: "spotlights",
                class: "s4",
                values: pick(|m| m.spotlights),
            },
        ],
        false,
    ));
    if report
        .months
        .iter()
        .any(|m| m.joined + m.left + m.bounced > 0)
    {
        out.push_str(&chart(
            "list",
            "The newsletter list: joined, left and bounced",
            &labels,
            &[
                Series {
                    name: "joined",
                    class: "s1",
                    values: pick(|m| m.joined),
                },
                Series {
                    name: "left",
                    class: "s4",
                    values: pick(|m| m.left),
                },
                Series {
                    name: "bounced",
                    class: "s5",
                    values: pick(|m| m.bounced),
                },
            ],
            false,
        ));
    }
    if report.issues.iter().any(|i| i.counts.is_some()) {
        let issue_labels: Vec<String> = report
            .issues
            .iter()
            .map(|i| format!("#{}", i.number))
            .collect();
        let count = |f: fn(&crate::newsletter::ledger::Counts) -> usize| {
            report
                .issues
                .iter()
                .map(|i| i.counts.as_ref().map_or(0, f))
                .collect::<Vec<_>>()
        };
        out.push_str(&chart(
            "deliveries",
            "Newsletter deliveries per issue",
            &issue_labels,
            &[
                Series {
                    name: "delivered",
                    class: "s1",
                    values: count(|c| c.delivered),
                },
                Series {
                    name: "failed",
                    class: "s4",
                    values: count(|c| c.failed),
                },
                Series {
                    name: "pending",
                    class: "s5",
                    values: count(|c| c.pending),
                },
            ],
            true,
        ));
    }
    out.push_str("</div>\n</section>\n");
    out
}

/// Chart size in SVG units; it scales to the page width.
const WIDTH: usize = 640;
const HEIGHT: usize = 220;
const LEFT: usize = 34;
const BOTTOM: usize = 34;
const TOP: usize = 12;
/// The widest bar, in SVG units.
const MAX_BAR: f64 = 40.0;

/// A bar chart: one group per label, the series side by side or stacked.
fn chart(id: &str, title: &str, labels: &[String], series: &[Series<'_>], stacked: bool) -> String {
    let per_label = |i: usize| -> usize {
        let values = series.iter().map(|s| s.values.get(i).copied().unwrap_or(0));
        if stacked {
            values.sum()
        } else {
            values.max().unwrap_or(0)
        }
    };
    let max = (0..labels.len()).map(per_label).max().unwrap_or(0).max(1);
    let plot_h = (HEIGHT - TOP - BOTTOM) as f64;
    let slot = (WIDTH - LEFT) as f64 / labels.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<figure class=\"chart\">\n<figcaption id=\"{id}-t\">{}</figcaption>\n\
         <svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-t\">\n",
        esc(title)
    );
    for tick in ticks(max) {
        let y = TOP as f64 + plot_h - plot_h * tick as f64 / max as f64;
        let _ = writeln!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            LEFT - 6,
            y + 4.0
        );
    }
    // Bars stay narrow when there are few labels (two issues must not fill the chart).
    let bars_per_slot = if stacked { 1 } else { series.len().max(1) };
    let bar_w = (slot * 0.75 / bars_per_slot as f64).min(MAX_BAR);
    let group_w = bar_w * bars_per_slot as f64;
    let every = labels.len().div_ceil(16).max(1);
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT as f64 + slot * i as f64 + (slot - group_w) / 2.0;
        let mut base = 0usize;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0);
            let (x, from) = if stacked {
                (x0, base)
            } else {
                (x0 + bar_w * k as f64, 0)
            };
            if v > 0 {
                let h = plot_h * v as f64 / max as f64;
                let y = TOP as f64 + plot_h - plot_h * from as f64 / max as f64 - h;
                let _ = writeln!(
                    svg,
                    "<rect class=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\"><title>{}: {v} {}</title></rect>",
                    s.class,
                    esc(label),
                    esc(s.name)
                );
            }
            if stacked {
                base += v;
            }
        }
        if i % every == 0 {
            let _ = writeln!(
                svg,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                LEFT as f64 + slot * (i as f64 + 0.5),
                HEIGHT - BOTTOM + 16,
                esc(label)
            );
        }
    }
    svg.push_str("</svg>\n<ul class=\"legend\">");
    for s in series {
        let _ = write!(
            svg,
            "<li><span class=\"key {}\"></span>{}</li>",
            s.class,
            esc(s.name)
        );
    }
    svg.push_str("</ul>\n</figure>\n");
    svg
}

/// Round gridline values from 0 to `max`: at most five.
fn ticks(max: usize) -> Vec<usize> {
    let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
        .into_iter()
        .find(|s| max / s <= 4)
        .unwrap_or(max.div_ceil(4).max(1));
    (0..=max).step_by(step).collect()
}

fn month_table(months: &[Month]) -> String {
    let mut out = String::from(
        "<section aria-labelledby=\"months\">\n<h2 id=\"months\">The months in numbers</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Posts</th><th scope=\"col\">Authors</th><th scope=\"col\">Events held (in person / hybrid / online)</th><th scope=\"col\">Upcoming</th><th scope=\"col\">Cancelled</th><th scope=\"col\">New members</th><th scope=\"col\">Spotlights</th><th scope=\"col\">Issues</th><th scope=\"col\">Joined the list</th><th scope=\"col\">Left</th><th scope=\"col\">Bounced</th></tr></thead>\n<tbody>\n",
    );
    for m in months {
        let _ = writeln!(
            out,
            "<tr id=\"m-{}\"><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{} ({} / {} / {})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            m.start.strftime("%Y-%m"),
            esc(&month_label(m, true)),
            m.posts,
            m.authors,
            m.held.total(),
            m.held.in_person,
            m.held.hybrid,
            m.held.online,
            m.upcoming.total(),
            m.cancelled,
            m.new_members,
            m.spotlights,
            m.issues,
            m.joined,
            m.left,
            m.bounced
        );
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
    out
}

fn issue_table(report: &Report) -> String {
    let mut out =
        String::from("<section aria-labelledby=\"issues\">\n<h2 id=\"issues\">Newsletter</h2>\n");
    if let Some(list) = report.list {
        let _ = writeln!(
            out,
            "<p>{} subscribers on the list now; {} addresses suppressed (unsubscribed or bounced) and never mailed.</p>",
            list.subscribers, list.suppressed
        );
    }
    if report.issues.is_empty() {
        out.push_str("<p>No issue has been sent yet.</p>\n</section>\n");
        return out;
    }
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Issue</th><th scope=\"col\">Sent</th><th scope=\"col\">Subject</th><th scope=\"col\">Posts</th><th scope=\"col\">Events</th><th scope=\"col\">Delivered</th><th scope=\"col\">Failed</th><th scope=\"col\">Pending</th></tr></thead>\n<tbody>\n");
    for issue in &report.issues {
        let date = issue
            .date
            .as_ref()
            .map(crate::model::time::human_date)
            .unwrap_or_default();
        let (d, f, p) = match &issue.counts {
            Some(c) => (
                c.delivered.to_string(),
                c.failed.to_string(),
                c.pending.to_string(),
            ),
            None => ("–".into(), "–".into(), "–".into()),
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{d}</td><td>{f}</td><td>{p}</td></tr>",
            issue.number,
            esc(&date),
            esc(&issue.subject),
            issue.posts,
            issue.events
        );
    }
    out.push_str("</tbody>\n</table></div>\n<p class=\"note\">– : this machine has no delivery ledger for the issue (ledgers live in <code>.hearth/newsletter/</code> where it was sent).</p>\n</section>\n");
    out
}

const STYLE: &str = r#"
:root { --bg: #fbfaf7; --fg: #1d1b18; --muted: #5f5a52; --line: #d9d4ca; --card: #ffffff;
  --c1: #2f6f8f; --c2: #d08a2e; --c3: #6a8f3a; --c4: #b24a5a; --c5: #9aa7b2; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #16181b; --fg: #ece8e1; --muted: #a9a39a; --line: #3a3d42; --card: #1f2226;
    --c1: #6db3d6; --c2: #e9ad5c; --c3: #9cc56a; --c4: #e0808e; --c5: #6c7780; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; }
a { color: var(--c1); }
.lead, .note { color: var(--muted); }
.privacy { border-left: 4px solid var(--c3); background: var(--card); padding: .75rem 1rem; }
.totals { list-style: none; padding: 0; display: grid; gap: .75rem;
  grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); }
.totals li { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; }
.totals .n { display: block; font-size: 1.8rem; font-weight: 700; }
.charts { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)); }
.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; }
.chart figcaption { font-weight: 600; margin-bottom: .5rem; }
.chart svg { width: 100%; height: auto; display: block; }
.grid { stroke: var(--line); stroke-width: 1; }
.axis { fill: var(--muted); font-size: 11px; }
.s1 { fill: var(--c1); background: var(--c1); } .s2 { fill: var(--c2); background: var(--c2); }
.s3 { fill: var(--c3); background: var(--c3); } .s4 { fill: var(--c4); background: var(--c4); }
.s5 { fill: var(--c5); background: var(--c5); }
.legend { list-style: none; padding: 0; margin: .5rem 0 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem;
  font-size: .9rem; color: var(--muted); }
.key { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .35rem;
  vertical-align: -1px; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
th:first-child, td:nth-child(3) { text-align: left; }
thead th { font-size: .85rem; color: var(--muted); vertical-align: bottom; }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #333; --card: #fff; --line: #bbb; }
  main { max-width: none; padding: 0; }
  .chart, table, .totals li { break-inside: avoid; }
  a { color: inherit; }
  svg rect { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"#;
