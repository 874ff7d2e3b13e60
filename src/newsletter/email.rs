//! The digest email: rendered once from the theme's `email/digest.html` and
//! `email/digest.txt` (CSS inlined, links absolute), then personalised per
//! subscriber by filling in the fields the templates printed (see `personal`), and
//! wrapped in a standards-compliant multipart/alternative message with unsubscribe
//! headers and optional DKIM.

use std::time::SystemTime;

use anyhow::{Context as _, Result, anyhow};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use serde::Serialize;

use super::personal::{self, Links, Personal, Placeholders};
use super::settings::Settings;
use super::subscribers::Subscriber;
use super::token::Signer;
use crate::model::Site;
use crate::model::issue::Draft;
use crate::outputs::absolute_links;
pub use crate::render::archive::{IssueContent, IssueView, issue_path, issue_view, subscribe_path};
use crate::render::views::{SiteView, Views};

/// Gmail clips messages above 102 KB, hiding what follows (the unsubscribe footer).
pub const CLIP_BYTES: usize = 102 * 1024;

/// What the HTML part may weigh: under Gmail's clip with room for the personal
/// fields (name, unsubscribe link) filled in per recipient.
pub const HTML_BUDGET: usize = 100 * 1024 - 2 * 1024;

/// A summary trimmed for size keeps about this many characters of its text.
const TRIMMED_SUMMARY_CHARS: usize = 280;

/// One issue rendered for everybody: subscriber fields are filled in per recipient.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub number: u32,
    pub subject: String,
    pub html: Personal,
    pub text: Personal,
}

#[derive(Serialize)]
struct EmailContext<'a> {
    site: &'a SiteView<'a>,
    issue: &'a IssueView,
    #[serde(flatten)]
    content: &'a IssueContent<'a>,
    recipient: serde_json::Map<String, serde_json::Value>,
    /// The recipient's own unsubscribe page (a personal field).
    unsubscribe_url: String,
    archive_url: String,
    /// The site's page on how to join (for a forwarded copy).
    subscribe_url: String,
}

#[derive(Serialize)]
struct SubjectContext<'a> {
    site: &'a SiteView<'a>,
    issue: &'a IssueView,
}

/// The subject of an issue from the `subject` template; one line, always.
pub fn subject(views: &Views<'_>, settings: &Settings, issue: &IssueView) -> Result<String> {
    let ctx = tera::Context::from_serialize(SubjectContext {
        site: &views.site,
        issue,
    })?;
    let mut tera = crate::render::engine::new();
    tera.autoescape_on(Vec::new());
    let text = tera.render_str(&settings.subject, &ctx).map_err(|e| {
        anyhow!(
            "the `subject` template of [newsletter] does not render: {}",
            crate::render::error_chain(&e)
        )
    })?;
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Renders an issue for every subscriber at once. `columns` are the subscriber
/// fields templates may print (the CSV's headers).
pub fn render(
    site: &Site,
    tera: &tera::Tera,
    settings: &Settings,
    draft: &Draft,
    columns: &[String],
) -> Result<Rendered> {
    let views = Views::new(site);
    let content = IssueContent::new(draft, &views);
    let mut issue = issue_view(site, draft, &content);
    issue.subject = subject(&views, settings, &issue)?;
    let mut fields: Vec<String> = vec![
        "name".into(),
        "email".into(),
        personal::UNSUBSCRIBE_FIELD.into(),
        personal::GREETING_FIELD.into(),
    ];
    for column in columns {
        if !fields.contains(column) {
            fields.push(column.clone());
        }
    }
    let placeholders = Placeholders::new(fields)?;
    let recipient: serde_json::Map<String, serde_json::Value> = placeholders
        .tokens()
        .map(|(field, token)| (field.to_string(), token.into()))
        .collect();
    let unsubscribe_url = recipient
        .get(personal::UNSUBSCRIBE_FIELD)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let ctx = EmailContext {
        site: &views.site,
        issue: &issue,
        content: &content,
        recipient,
        unsubscribe_url,
        archive_url: site
            .config
            .permalink(&format!("{}newsletter/", site.config.root)),
        subscribe_url: site.config.permalink(&subscribe_path(site)),
    };
    let mut ctx = serde_json::to_value(&ctx)?;
    resolve_item_links(&mut ctx);
    let render = |name: &str, ctx: &serde_json::Value| {
        let ctx = tera::Context::from_value(ctx.clone())?;
        tera.render(name, &ctx).map_err(|e| {
            anyhow!(
                "cannot render the email template {name}: {}",
                crate::render::error_chain(&e)
            )
        })
    };
    let html = fit_html(&mut ctx, |ctx| {
        let html = absolute_links(&render("email/digest.html", ctx)?, &issue.url);
        inline_css(&html)
    })?;
    if html.len() > HTML_BUDGET {
        tracing::warn!(
            "the HTML of issue {} is {} KB even with posts listed by title: Gmail clips emails above 102 KB",
            draft.number,
            html.len() / 1024
        );
    }
    let html = placeholders.compile(&html);
    let text = placeholders.compile(&render("email/digest.txt", &ctx)?);
    Ok(Rendered {
        number: draft.number,
        subject: issue.subject,
        html,
        text,
    })
}

fn inline_css(html: &str) -> Result<String> {
    let inliner = css_inline::CSSInliner::options()
        .keep_at_rules(true)
        .load_remote_stylesheets(false)
        .build();
    inliner
        .inline(html)
        .context("cannot inline the email's CSS")
}

/// Links in the content of posts, events and the spotlight are relative to their
/// own page (`../other/`, `notes.pdf`, `#details`): made absolute against it here,
/// before the template puts them all in one email.
fn resolve_item_links(ctx: &mut serde_json::Value) {
    let fix = |item: &mut serde_json::Value| {
        let Some(page) = item
            .get("permalink")
            .and_then(|p| p.as_str())
            .map(str::to_string)
        else {
            return;
        };
        for key in ["summary_html", "content_html"] {
            if let Some(html) = item.get(key).and_then(|h| h.as_str()) {
                item[key] = absolute_links(html, &page).into();
            }
        }
        for key in ["image", "avatar"] {
            if let Some(url) = item.get(key).and_then(|u| u.as_str()) {
                item[key] = crate::outputs::links::resolve(&page, url).into();
            }
        }
    };
    for list in ["posts", "events", "cancelled_events"] {
        if let Some(items) = ctx.get_mut(list).and_then(|l| l.as_array_mut()) {
            items.iter_mut().for_each(fix);
        }
    }
    if let Some(spotlight) = ctx.get_mut("spotlight") {
        fix(spotlight);
    }
}

/// Renders the HTML part within `HTML_BUDGET`: as it is if it fits; else with every
/// post's summary trimmed to a few plain sentences; else with the later posts listed
/// by title only (`more_posts`, linking the web version), fewer full posts each
/// round. Nothing else is cut: the footer with the unsubscribe link always stays.
fn fit_html(
    ctx: &mut serde_json::Value,
    render: impl Fn(&serde_json::Value) -> Result<String>,
) -> Result<String> {
    let mut html = render(ctx)?;
    if html.len() <= HTML_BUDGET {
        return Ok(html);
    }
    let mut trimmed = ctx.clone();
    if let Some(posts) = trimmed.get_mut("posts").and_then(|p| p.as_array_mut()) {
        for post in posts.iter_mut() {
            let text = post["summary_text"].as_str().unwrap_or_default();
            post["summary_html"] =
                format!("<p>{}</p>", crate::render::escape_html(&shorten(text))).into();
        }
    }
    html = render(&trimmed)?;
    let all: Vec<serde_json::Value> = trimmed["posts"].as_array().cloned().unwrap_or_default();
    let mut full = all.len();
    while html.len() > HTML_BUDGET && full > 0 {
        full /= 2;
        let mut brief = trimmed.clone();
        brief["posts"] = all[..full].to_vec().into();
        brief["more_posts"] = all[full..].to_vec().into();
        html = render(&brief)?;
    }
    Ok(html)
}

/// The first sentences of `text`, about `TRIMMED_SUMMARY_CHARS` long, on a word break.
fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= TRIMMED_SUMMARY_CHARS {
        return text;
    }
    let cut: String = text.chars().take(TRIMMED_SUMMARY_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

/// How one message is addressed and marked.
pub struct Envelope<'a> {
    pub settings: &'a Settings,
    pub site: &'a Site,
    pub rendered: &'a Rendered,
    pub date: SystemTime,
    /// A test send (`--to`): marked in the subject and given its own Message-ID.
    pub test: bool,
    /// The DKIM signing setup, read once per send (`dkim`).
    pub dkim: Option<lettre::message::dkim::DkimConfig>,
    /// The key of personal links and bounce addresses, when `secret_env` is set.
    pub signer: Option<Signer>,
}

impl Envelope<'_> {
    /// The recipient's unsubscribe page (with an endpoint), else the shared target.
    pub fn unsubscribe_url(&self, address: &lettre::Address) -> String {
        match (&self.settings.endpoint, &self.signer) {
            (Some(endpoint), Some(signer)) => {
                format!("{endpoint}/unsubscribe/{}", signer.unsubscribe(address))
            }
            _ => self.settings.unsubscribe.clone(),
        }
    }

    /// `List-Unsubscribe`: the personal page and a mailto, or the shared target.
    fn list_unsubscribe(&self, address: &lettre::Address) -> String {
        let url = header_text(&self.unsubscribe_url(address));
        if self.settings.endpoint.is_some() && self.signer.is_some() {
            format!(
                "<{url}>, <{}>",
                header_text(&self.settings.unsubscribe_mailto())
            )
        } else {
            format!("<{url}>")
        }
    }

    /// The envelope sender: the bounce address, with VERP when there is a key.
    fn sender(&self, address: &lettre::Address) -> Option<lettre::Address> {
        let bounce = self.settings.bounce_address.as_ref()?;
        let verp = self
            .signer
            .as_ref()
            .and_then(|s| s.verp(bounce, address, self.rendered.number));
        Some(verp.unwrap_or_else(|| bounce.clone()))
    }
}

/// A header value from text we do not control: no line breaks, no control characters.
fn header_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn host(site: &Site) -> &str {
    let origin = site.config.origin();
    origin.split("://").nth(1).unwrap_or(origin)
}

/// FNV-1a: a stable, dependency-free fingerprint of an address for Message-IDs.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The message for one subscriber. The Message-ID is the same for every attempt at
/// the same issue and address, so a message resent after a crash is recognisably
/// the same one.
pub fn message(env: &Envelope<'_>, subscriber: &Subscriber) -> Result<Message> {
    let settings = env.settings;
    let host = host(env.site);
    let to = Mailbox::new(
        Some(header_text(&subscriber.name)),
        subscriber.address.clone(),
    );
    let mut subject = header_text(&env.rendered.subject);
    let mut id = format!(
        "<issue-{}.{:016x}@{host}>",
        env.rendered.number,
        fingerprint(&subscriber.key())
    );
    if env.test {
        subject = format!("[Test] {subject}");
        let nanos = env
            .date
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        id = format!("<test-{}.{nanos:x}@{host}>", env.rendered.number);
    }
    let list_id = format!(
        "{} <{}>",
        header_text(&env.site.config.title).replace(['<', '>'], ""),
        settings.list
    );
    let mut builder = Message::builder()
        .from(settings.from.clone())
        .to(to)
        .subject(subject)
        .date(env.date)
        .message_id(Some(id))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Id"),
            list_id,
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            env.list_unsubscribe(&subscriber.address),
        ));
    if settings.one_click_unsubscribe() {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ));
    }
    if let Some(reply_to) = &settings.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    // A provider's own headers (message stream, configuration set), checked in
    // `settings`; DKIM covers them.
    for (name, value) in settings.smtp.iter().flat_map(|s| &s.headers) {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| anyhow!("[smtp] headers: `{name}` is not a header name"))?;
        builder = builder.raw_header(HeaderValue::new(name, header_text(value)));
    }
    if let Some(sender) = env.sender(&subscriber.address) {
        let envelope =
            lettre::address::Envelope::new(Some(sender), vec![subscriber.address.clone()])
                .context("cannot address the email")?;
        builder = builder.envelope(envelope);
    }
    let links = Links {
        unsubscribe: env.unsubscribe_url(&subscriber.address),
    };
    let html = env.rendered.html.fill(subscriber, &links, true);
    let text = env.rendered.text.fill(subscriber, &links, false);
    let mut message = builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .context("cannot build the email")?;
    if let Some(dkim) = &env.dkim {
        message.sign(dkim);
    }
    Ok(message)
}

/// The DKIM signing setup of `[smtp]`, if any: the key is read and checked here.
pub fn dkim(settings: &Settings) -> Result<Option<lettre::message::dkim::DkimConfig>> {
    settings
        .smtp
        .as_ref()
        .and_then(|s| s.dkim.as_ref().map(|d| dkim_config(d, &s.headers)))
        .transpose()
}

fn dkim_config(
    dkim: &super::settings::Dkim,
    extra: &[(String, String)],
) -> Result<lettre::message::dkim::DkimConfig> {
    use lettre::message::dkim::{DkimCanonicalization, DkimCanonicalizationType, DkimConfig};
    let path = &dkim.key_file;
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the DKIM key `{}`", path.display()))?;
    let key = dkim_key(&pem).map_err(|why| anyhow!("the DKIM key `{}` {why}", path.display()))?;
    let mut headers: Vec<HeaderName> = DKIM_HEADERS
        .iter()
        .copied()
        .map(HeaderName::new_from_ascii_str)
        .collect();
    for (name, _) in extra {
        headers.push(
            HeaderName::new_from_ascii(name.clone())
                .map_err(|_| anyhow!("[smtp] headers: `{name}` is not a header name"))?,
        );
    }
    Ok(DkimConfig::new(
        dkim.selector.clone(),
        dkim.domain.clone(),
        key,
        headers,
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    ))
}

/// The headers a DKIM signature covers (with the `[smtp] headers`): everything a
/// reader or a filter trusts, so none can be changed or added on the way. Not
/// Content-Type: lettre writes the multipart one with the body, after signing, so a
/// signature over it could never verify.
const DKIM_HEADERS: &[&str] = &[
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Reply-To",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// The signing key from PEM: RSA in PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8
/// (`BEGIN PRIVATE KEY`, what `openssl genpkey` and OpenSSL 3's `opendkim-genkey`
/// write), or Ed25519 in PKCS#8 (RFC 8463). lettre reads PKCS#1 and a raw Ed25519
/// seed, so PKCS#8 is unwrapped here.
fn dkim_key(pem: &str) -> Result<lettre::message::dkim::DkimSigningKey, String> {
    use lettre::message::dkim::{DkimSigningAlgorithm, DkimSigningKey};
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    const ED25519_OID: &str = "1.3.101.112";
    if pem.contains("BEGIN RSA PRIVATE KEY") {
        return DkimSigningKey::new(pem, DkimSigningAlgorithm::Rsa)
            .map_err(|e| format!("is not a readable RSA private key (PKCS#1 PEM): {e}"));
    }
    if !pem.contains("BEGIN PRIVATE KEY") {
        return Err("is not a PEM private key (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`); encrypted keys are not read".into());
    }
    let (_, doc) = rsa::pkcs8::SecretDocument::from_pem(pem)
        .map_err(|e| format!("is not readable PEM: {e}"))?;
    let info = rsa::pkcs8::PrivateKeyInfo::try_from(doc.as_bytes())
        .map_err(|e| format!("is not a PKCS#8 private key: {e}"))?;
    if info.algorithm.oid.to_string() == ED25519_OID {
        // The key is an OCTET STRING (04 20) around the 32-byte seed.
        let seed = match info.private_key {
            [0x04, 0x20, seed @ ..] if seed.len() == 32 => seed,
            _ => return Err("is an Ed25519 key of an unknown shape".into()),
        };
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(seed);
        return DkimSigningKey::new(&b64, DkimSigningAlgorithm::Ed25519)
            .map_err(|e| format!("is not a usable Ed25519 key: {e}"));
    }
    let rsa_key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
        .map_err(|e| format!("is neither an RSA nor an Ed25519 private key: {e}"))?;
    let pkcs1 = rsa_key
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|e| format!("cannot be converted for signing: {e}"))?;
    DkimSigningKey::new(&pkcs1, DkimSigningAlgorithm::Rsa)
        .map_err(|e| format!("is not a usable RSA key: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_cannot_break_a_header() {
        assert_eq!(
            header_text("Hello\r\nBcc: victim@example.org"),
            "Hello  Bcc: victim@example.org"
        );
    }
}
