//! Newsletter issues as the site knows them: what each recorded issue carried
//! (`newsletter/issues.toml`, committed with the site), for the web archive and for
//! composing the next issue. The newsletter writes the record; the site only reads it.

use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};

use super::Site;

/// The record of issues sent, relative to the site folder.
pub const RECORD_FILE: &str = "newsletter/issues.toml";

/// One issue as recorded when its sending began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub number: u32,
    /// When the issue was composed; content after this goes in the next.
    #[serde(with = "rfc3339")]
    pub date: Timestamp,
    pub subject: String,
    /// Slugs of the posts it carried.
    #[serde(default)]
    pub posts: Vec<String>,
    /// Slugs of the upcoming events it announced.
    #[serde(default)]
    pub events: Vec<String>,
    /// Slugs of announced events it reported as cancelled.
    #[serde(default)]
    pub cancelled_events: Vec<String>,
    /// Slug of the member in the spotlight, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spotlight: Option<String>,
    /// Events of earlier issues it mentioned again, as they happen within a week.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reminders: Vec<String>,
    /// True while the issue is being delivered; a later send resumes it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sending: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The content of one issue, as indices into the site's lists: the next issue as
/// composed, or a recorded one as the site holds it today.
#[derive(Debug, Clone)]
pub struct Draft {
    pub number: u32,
    /// When the issue was composed, in the site's zone.
    pub date: Zoned,
    pub posts: Vec<usize>,
    pub events: Vec<usize>,
    pub cancelled_events: Vec<usize>,
    pub spotlight: Option<usize>,
    /// Events an earlier issue announced that happen soon; alone they make no issue.
    pub reminders: Vec<usize>,
}

impl Draft {
    pub fn is_empty(&self) -> bool {
        self.posts.is_empty()
            && self.events.is_empty()
            && self.cancelled_events.is_empty()
            && self.spotlight.is_none()
    }

    /// The record entry of this issue.
    pub fn to_issue(&self, site: &Site, subject: &str) -> Issue {
        let slugs = |list: &[usize], slug: &dyn Fn(usize) -> String| -> Vec<String> {
            list.iter().map(|&i| slug(i)).collect()
        };
        let event = |i: usize| site.events[i].slug.to_string();
        Issue {
            number: self.number,
            date: self.date.timestamp(),
            subject: subject.to_string(),
            posts: slugs(&self.posts, &|i| site.posts[i].slug.to_string()),
            events: self
                .events
                .iter()
                .filter_map(|&i| next_date(&site.events[i], self.date.timestamp()))
                .map(|(key, _)| key)
                .collect(),
            cancelled_events: slugs(&self.cancelled_events, &event),
            spotlight: self.spotlight.map(|i| site.members[i].slug.to_string()),
            reminders: slugs(&self.reminders, &event),
            sending: false,
        }
    }
}

impl Site {
    /// What a recorded issue carried, as the site holds it today: items removed
    /// since are left out.
    pub fn recorded_issue(&self, issue: &Issue) -> Draft {
        let post = |s: &String| self.posts.iter().position(|p| p.slug.as_str() == s);
        // A date of a series is recorded as `slug@date`.
        let event = |s: &String| {
            let slug = s.split_once('@').map_or(s.as_str(), |(slug, _)| slug);
            self.events.iter().position(|e| e.slug.as_str() == slug)
        };
        Draft {
            number: issue.number,
            date: issue.date.to_zoned(self.config.timezone.clone()),
            posts: issue.posts.iter().filter_map(post).collect(),
            events: issue.events.iter().filter_map(event).collect(),
            cancelled_events: issue.cancelled_events.iter().filter_map(event).collect(),
            spotlight: issue
                .spotlight
                .as_ref()
                .and_then(|s| self.members.iter().position(|m| m.slug.as_str() == s)),
            reminders: issue.reminders.iter().filter_map(event).collect(),
        }
    }
}

/// The next date of an event that starts at or after `now`, with the key an issue
/// records for it: the slug of a single event, `slug@YYYY-MM-DD` for a date of a
/// series, so that each date of a series is announced once.
pub fn next_date(e: &super::Event, now: Timestamp) -> Option<(String, Timestamp)> {
    let next = e.occurrences.iter().find(|o| o.start.timestamp() >= now)?;
    let key = match e.series {
        Some(_) => format!("{}@{}", e.slug, next.start.date()),
        None => e.slug.to_string(),
    };
    Some((key, next.start.timestamp()))
}

/// A moment written as RFC 3339 text (`2026-11-23T09:00:00+01:00` reads; it is
/// written in UTC, `2026-11-23T08:00:00Z`).
mod rfc3339 {
    use jiff::Timestamp;
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "`{text}` is not a date and time with an offset, such as 2026-11-23T09:00:00+01:00"
            ))
        })
    }
}
