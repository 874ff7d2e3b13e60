//! schema.org data as JSON-LD for search engines and link previews: `BlogPosting`
//! for posts, `Person` for members, `Event` for events. Each is printed inside a
//! `<script type="application/ld+json">`, so `<`, `>` and `&` are escaped as JSON
//! unicode escapes and no text can close the script element.

use serde_json::{Value, json};

use super::views::PostEnv;
use crate::config::Config;
use crate::model::time::{iso, iso_date};
use crate::model::{Event, EventStatus, Member, Post, Site, Slug};

/// schema.org data as templates see it: JSON text safe to place inside a
/// `<script>` element, written out only when a page is rendered. For a page key
/// (see [`super::keying`]) it is its data as it is: the text is a function of it.
#[derive(Debug, Clone)]
pub struct JsonLd<T>(T);

impl<T: serde::Serialize> serde::Serialize for JsonLd<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if super::keying() {
            self.0.serialize(s)
        } else {
            s.serialize_str(&script_safe(&self.0))
        }
    }
}

/// JSON text safe to place inside a `<script>` element.
fn script_safe(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn absolute(config: &Config, url: &str) -> String {
    // `//host/x` is already absolute (protocol-relative), not a site path.
    if url.starts_with('/') && !url.starts_with("//") {
        config.permalink(url)
    } else {
        url.to_string()
    }
}

/// A schema.org `Person`: a member by name and page, or an unknown slug by itself.
#[derive(Debug, serde::Serialize)]
pub struct Person {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

fn person(config: &Config, slug: &Slug, member: Option<&Member>) -> Person {
    match member {
        Some(m) => Person {
            kind: "Person",
            name: m.name.clone(),
            url: Some(config.permalink(&m.route.url)),
        },
        None => Person {
            kind: "Person",
            name: slug.to_string(),
            url: None,
        },
    }
}

/// A post's `BlogPosting`, its keys in the order `serde_json`'s maps print them
/// (sorted), like the other kinds' data. It owns its text: a post's view is kept
/// from one build of `hearth serve` to the next.
#[derive(Debug, serde::Serialize)]
pub struct BlogPosting {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    author: Vec<Person>,
    #[serde(rename = "dateModified")]
    date_modified: String,
    #[serde(rename = "datePublished")]
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    headline: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(rename = "inLanguage")]
    in_language: String,
    keywords: Vec<String>,
    #[serde(rename = "mainEntityOfPage")]
    main_entity_of_page: String,
    publisher: Organization,
    url: String,
}

#[derive(Debug, serde::Serialize)]
pub struct Organization {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: String,
    url: String,
}

pub fn post(env: &PostEnv<'_>, post: &Post) -> JsonLd<BlogPosting> {
    let c = env.config();
    let url = c.permalink(&post.route.url);
    let summary = post.body.summary_text.as_str();
    JsonLd(BlogPosting {
        context: "https://schema.org",
        kind: "BlogPosting",
        author: (post.authors.iter())
            .map(|a| person(c, a, env.member(a)))
            .collect(),
        date_modified: iso(post.updated.as_ref().unwrap_or(&post.date)),
        date_published: iso(&post.date),
        description: Some(summary).filter(|s| !s.is_empty()).map(str::to_string),
        headline: post.title.clone(),
        image: post.image.as_ref().map(|image| absolute(c, image.as_str())),
        in_language: c.language.clone(),
        keywords: post.tags.clone(),
        main_entity_of_page: url.clone(),
        publisher: Organization {
            kind: "Organization",
            name: c.title.clone(),
            url: c.permalink(&c.root),
        },
        url,
    })
}

pub fn member(site: &Site, member: &Member) -> JsonLd<Value> {
    let c = &site.config;
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "Person",
        "name": member.name,
        "url": c.permalink(&member.route.url),
        "sameAs": member.links.iter().map(|(_, url)| url).collect::<Vec<_>>(),
        "memberOf": { "@type": "Organization", "name": c.title, "url": c.permalink(&c.root) },
    });
    if let Some(role) = &member.role {
        data["jobTitle"] = json!(role);
    }
    if let Some(avatar) = &member.avatar {
        data["image"] = json!(absolute(c, avatar.as_str()));
    }
    if let Some(location) = &member.location {
        data["homeLocation"] = json!({ "@type": "Place", "name": location });
    }
    if !member.body.summary_text.is_empty() {
        data["description"] = json!(member.body.summary_text);
    }
    JsonLd(data)
}

pub fn event(site: &Site, event: &Event) -> JsonLd<Value> {
    let c = &site.config;
    let instant = |z: &jiff::Zoned| if event.all_day { iso_date(z) } else { iso(z) };
    let mut locations = Vec::new();
    if let Some(place) = &event.location {
        locations.push(json!({ "@type": "Place", "name": place, "address": place }));
    }
    if let Some(online) = &event.online {
        locations.push(json!({ "@type": "VirtualLocation", "url": online }));
    }
    let mode = match (&event.location, &event.online) {
        (Some(_), Some(_)) => "MixedEventAttendanceMode",
        (None, Some(_)) => "OnlineEventAttendanceMode",
        _ => "OfflineEventAttendanceMode",
    };
    let status = match event.status {
        EventStatus::Scheduled => "EventScheduled",
        EventStatus::Cancelled => "EventCancelled",
    };
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": c.permalink(&event.route.url),
        "startDate": instant(&event.start),
        "eventStatus": format!("https://schema.org/{status}"),
        "eventAttendanceMode": format!("https://schema.org/{mode}"),
        "location": if locations.len() == 1 { locations[0].clone() } else { Value::Array(locations) },
        "organizer": event.organizers.iter().map(|o| person(c, o, site.member(o))).collect::<Vec<_>>(),
    });
    if event.organizers.is_empty() {
        data["organizer"] =
            json!({ "@type": "Organization", "name": c.title, "url": c.permalink(&c.root) });
    }
    if let Some(end) = &event.end {
        data["endDate"] = json!(instant(end));
    }
    if !event.body.summary_text.is_empty() {
        data["description"] = json!(event.body.summary_text);
    }
    JsonLd(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_close_the_script_element() {
        let out = script_safe(&json!({ "name": "</script><script>alert(1)</script> & co" }));
        assert!(
            !out.contains('<') && !out.contains('>') && !out.contains('&'),
            "{out}"
        );
        let back: Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(back["name"], "</script><script>alert(1)</script> & co");
    }
}
