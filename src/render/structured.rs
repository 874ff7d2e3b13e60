//! schema.org data as JSON-LD for search engines and link previews: `BlogPosting`
//! for posts, `Person` for members, `Event` for events. Each is printed inside a
//! `<script type="application/ld+json">`, so `<`, `>` and `&` are escaped as JSON
//! unicode escapes and no text can close the script element.

use serde_json::{Value, json};

use crate::config::Config;
use crate::model::time::{iso, iso_date};
use crate::model::{Event, EventStatus, Member, Post, Site, Slug};

/// JSON text safe to place inside a `<script>` element.
fn script_safe(value: &Value) -> String {
    value
        .to_string()
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

fn person(site: &Site, slug: &Slug) -> Value {
    match site.member(slug) {
        Some(m) => json!({
            "@type": "Person",
            "name": m.name,
            "url": site.config.permalink(&m.route.url),
        }),
        None => json!({ "@type": "Person", "name": slug.as_str() }),
    }
}

pub fn post(site: &Site, post: &Post) -> String {
    let c = &site.config;
    let url = c.permalink(&post.route.url);
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": iso(&post.date),
        "dateModified": iso(post.updated.as_ref().unwrap_or(&post.date)),
        "author": post.authors.iter().map(|a| person(site, a)).collect::<Vec<_>>(),
        "publisher": { "@type": "Organization", "name": c.title, "url": c.permalink(&c.root) },
        "keywords": post.tags,
        "inLanguage": c.language,
    });
    if !post.body.summary_text.is_empty() {
        data["description"] = json!(post.body.summary_text);
    }
    if let Some(image) = &post.image {
        data["image"] = json!(absolute(c, image.as_str()));
    }
    script_safe(&data)
}

pub fn member(site: &Site, member: &Member) -> String {
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
    script_safe(&data)
}

pub fn event(site: &Site, event: &Event) -> String {
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
        "organizer": event.organizers.iter().map(|o| person(site, o)).collect::<Vec<_>>(),
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
    script_safe(&data)
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
