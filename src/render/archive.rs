//! The newsletter's pages on the site: `/newsletter/` (the archive), `/newsletter/N/`
//! (each recorded issue as the site shows its content today) and
//! `/newsletter/subscribe/` (how to join). The issue views are shared with the
//! emails, which the newsletter renders from the same templates' data.

use serde::Serialize;

use super::PageRenderer;
use super::views::{EventView, MemberView, PostView, Views};
use crate::model::Site;
use crate::model::issue::Draft;
use crate::model::time::{human_date, iso};

/// The name of the signup form's hidden field that people leave empty and bots
/// fill in; the endpoint refuses forms where it is filled.
pub const HONEYPOT: &str = "website";

#[derive(Serialize)]
pub struct IssueView {
    pub number: u32,
    pub date: String,
    pub date_iso: String,
    pub subject: String,
    pub url: String,
    pub preheader: String,
    /// The title that leads the issue (its first post, else its first event, else
    /// the member in the spotlight), for the subject; empty when there is none.
    pub lead: String,
    /// How many other items the issue carries beside the lead.
    pub more: usize,
}

/// What the email templates (and the archive page) get for one issue.
#[derive(Serialize)]
pub struct IssueContent<'a> {
    pub posts: Vec<&'a PostView>,
    pub events: Vec<&'a EventView<'a>>,
    pub cancelled_events: Vec<&'a EventView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spotlight: Option<&'a MemberView<'a>>,
    /// Events of earlier issues that happen within a week of this one.
    pub reminders: Vec<&'a EventView<'a>>,
}

impl<'a> IssueContent<'a> {
    pub fn new(draft: &Draft, views: &'a Views<'a>) -> IssueContent<'a> {
        IssueContent {
            posts: draft.posts.iter().map(|&i| &*views.posts[i]).collect(),
            events: draft.events.iter().map(|&i| &views.events[i]).collect(),
            cancelled_events: draft
                .cancelled_events
                .iter()
                .map(|&i| &views.events[i])
                .collect(),
            spotlight: draft.spotlight.map(|i| &views.members[i]),
            reminders: draft.reminders.iter().map(|&i| &views.events[i]).collect(),
        }
    }
}

/// The URL path of the site's page on how to join.
pub fn subscribe_path(site: &Site) -> String {
    format!("{}newsletter/subscribe/", site.config.root)
}

/// The URL path of an issue's web version.
pub fn issue_path(site: &Site, number: u32) -> String {
    format!("{}newsletter/{number}/", site.config.root)
}

/// The issue's metadata for templates.
pub fn issue_view(site: &Site, draft: &Draft, content: &IssueContent<'_>) -> IssueView {
    IssueView {
        number: draft.number,
        date: human_date(&draft.date),
        date_iso: iso(&draft.date),
        subject: String::new(),
        url: site.config.permalink(&issue_path(site, draft.number)),
        preheader: preheader(content),
        lead: lead(content).unwrap_or_default().to_string(),
        more: (content.posts.len()
            + content.events.len()
            + usize::from(content.spotlight.is_some()))
        .saturating_sub(1),
    }
}

fn lead<'a>(content: &IssueContent<'a>) -> Option<&'a str> {
    content
        .posts
        .first()
        .map(|p| p.title.as_str())
        .or_else(|| content.events.first().map(|e| e.title))
        .or_else(|| content.spotlight.map(|m| m.name))
}

/// The inbox teaser: what is inside, by title.
fn preheader(content: &IssueContent<'_>) -> String {
    let titles: Vec<&str> = content
        .posts
        .iter()
        .map(|p| p.title.as_str())
        .chain(content.events.iter().map(|e| e.title))
        .chain(content.spotlight.iter().map(|m| m.name))
        .collect();
    let mut text = titles.join(" · ");
    if text.chars().count() > 140 {
        text = text.chars().take(139).collect::<String>() + "…";
    }
    text
}

#[derive(Serialize)]
struct IssueSummary<'a> {
    number: u32,
    date: String,
    date_iso: String,
    subject: &'a str,
    url: String,
    posts: usize,
    events: usize,
}

#[derive(Serialize)]
struct ArchiveContext<'a> {
    issues: Vec<IssueSummary<'a>>,
}

#[derive(Serialize)]
struct IssueContext<'a> {
    issue: IssueView,
    #[serde(flatten)]
    content: IssueContent<'a>,
}

/// `/newsletter/` and `/newsletter/N/`: the web version of every recorded issue, with
/// the content it carried as the site shows it today.
pub(super) fn newsletter_archive<'a>(
    r: &mut PageRenderer<'a>,
    site: &'a Site,
    views: &'a Views<'a>,
) {
    let mut summaries = Vec::new();
    for issue in site.issues.iter().rev() {
        let draft = site.recorded_issue(issue);
        let content = IssueContent::new(&draft, views);
        let mut view = issue_view(site, &draft, &content);
        view.subject = issue.subject.clone();
        let url = issue_path(site, issue.number);
        summaries.push(IssueSummary {
            number: issue.number,
            date: view.date.clone(),
            date_iso: view.date_iso.clone(),
            subject: &issue.subject,
            url: url.clone(),
            posts: content.posts.len(),
            events: content.events.len(),
        });
        r.render(
            "newsletter_issue.html",
            &url,
            IssueContext {
                issue: view,
                content,
            },
        );
    }
    let list = format!("{}newsletter/", site.config.root);
    r.render(
        "newsletter.html",
        &list,
        ArchiveContext { issues: summaries },
    );
    if let Some(raw) = &site.config.newsletter {
        r.render(
            "newsletter/subscribe.html",
            &subscribe_path(site),
            SubscribeContext::new(raw),
        );
    }
}

/// What `newsletter/subscribe.html` gets: the endpoint's form, or an address to
/// write to when there is no endpoint.
#[derive(Serialize)]
struct SubscribeContext {
    /// `ENDPOINT/subscribe`, when an endpoint is configured.
    action: Option<String>,
    /// The hidden field bots fill in (the endpoint refuses such forms).
    honeypot: &'static str,
    /// The address to write to for joining without an endpoint (reply or sender).
    contact: String,
    /// The unsubscribe target when it is a `mailto:` or `https:` URL.
    unsubscribe: Option<String>,
}

impl SubscribeContext {
    fn new(raw: &crate::config::RawNewsletter) -> SubscribeContext {
        let contact = raw.reply_to.as_deref().unwrap_or(&raw.from);
        let contact = contact
            .parse::<lettre::message::Mailbox>()
            .map_or_else(|_| contact.to_string(), |m| m.email.to_string());
        SubscribeContext {
            action: raw
                .endpoint
                .as_deref()
                .map(|e| format!("{}/subscribe", e.trim_end_matches('/'))),
            honeypot: HONEYPOT,
            contact,
            unsubscribe: raw.unsubscribe.clone(),
        }
    }
}
