//! A contributor's pull request against the file system: symbolic links and paths
//! committed into a site must never make hearth delete, write or publish anything
//! outside the site (or its output folder). Each test builds a small hostile site in
//! a temporary folder, with a folder "outside" beside it that must stay as it was.

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use common::{NOW, Run, hearth, snapshot};

/// A hostile site and, beside it in the same temporary folder, a folder that
/// stands for everything outside the site (the maintainer's home, say).
struct Attack {
    _root: tempfile::TempDir,
    site: PathBuf,
    outside: PathBuf,
}

impl Attack {
    fn new(fixture: &str) -> Attack {
        let root = tempfile::tempdir().expect("temp");
        let site = root.path().join("site");
        let outside = root.path().join("outside");
        common::copy_tree(
            &common::repo_root().join("tests/fixtures").join(fixture),
            &site,
        );
        std::fs::create_dir_all(outside.join(".ssh")).expect("mkdir");
        std::fs::write(outside.join(".ssh/id_rsa"), "PRIVATE-KEY-MATERIAL\n").expect("write");
        std::fs::write(
            outside.join(".ssh/authorized_keys"),
            "ssh-ed25519 AAAA owner\n",
        )
        .expect("write");
        std::fs::write(
            outside.join("secret.md"),
            "+++\ntitle = \"Secret\"\ndate = 2026-01-01\n+++\nPRIVATE-KEY-MATERIAL\n",
        )
        .expect("write");
        Attack {
            _root: root,
            site,
            outside,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn link(&self, rel: &str, target: &Path) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        symlink(target, path).expect("symlink");
    }

    fn run(&self, args: &[&str]) -> Run {
        let site = self.site.to_str().expect("utf-8");
        let mut all: Vec<&str> = args.to_vec();
        all.extend([site, "--now", NOW]);
        hearth(&all)
    }

    /// Everything outside, with its bytes.
    fn outside_now(&self) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.outside)
    }

    /// Nothing of the outside folder's secrets in any built file.
    fn assert_nothing_published(&self) {
        let public = self.path("public");
        if public.is_dir() {
            for (path, bytes) in snapshot(&public) {
                assert!(
                    !String::from_utf8_lossy(&bytes).contains("PRIVATE-KEY-MATERIAL"),
                    "{} was published from outside the site",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn a_symlinked_output_folder_with_a_forged_marker_does_not_wipe_the_site() {
    let attack = Attack::new("basic");
    attack.write(".hearth-output", "forged\n");
    attack.link("public", Path::new("."));
    let site_before = snapshot(&attack.site);
    let outside_before = attack.outside_now();
    let run = attack.run(&["build"]);
    run.failure(1);
    assert!(
        run.stderr.contains("public") && run.stderr.contains("symbolic link"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&attack.site), site_before, "the site changed");
    assert_eq!(attack.outside_now(), outside_before, "outside changed");
}

#[test]
fn an_output_link_out_of_the_site_is_refused_even_with_a_marker_there() {
    let attack = Attack::new("basic");
    std::fs::write(attack.outside.join(".hearth-output"), "forged\n").expect("write");
    attack.link("public", &attack.outside);
    let outside_before = attack.outside_now();
    attack.run(&["build"]).failure(1);
    assert_eq!(attack.outside_now(), outside_before, "outside changed");
}

#[test]
fn an_output_folder_that_holds_the_site_or_its_sources_is_refused() {
    let attack = Attack::new("basic");
    // A marker committed at the site root and in content/ must not make either an
    // output folder to clear.
    attack.write(".hearth-output", "forged\n");
    attack.write("content/.hearth-output", "forged\n");
    let before = snapshot(&attack.site);
    for out in [".", "content", "./content/../"] {
        let out = attack.site.join(out);
        let run = attack.run(&["build", "--out", out.to_str().expect("utf-8")]);
        run.failure(1);
        assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    }
    assert_eq!(snapshot(&attack.site), before, "the site changed");
}

#[test]
fn a_symlinked_static_folder_publishes_nothing_from_outside() {
    let attack = Attack::new("basic");
    std::fs::remove_dir_all(attack.path("static")).ok();
    attack.link("static", &attack.outside.join(".ssh"));
    let run = attack.run(&["build"]);
    run.failure(1);
    assert!(
        run.stderr.contains("static") && run.stderr.contains("outside the site"),
        "{}",
        run.stderr
    );
    attack.assert_nothing_published();
    assert!(!attack.path("public/id_rsa").exists());
}

#[test]
fn a_symlinked_content_section_is_not_read() {
    let attack = Attack::new("basic");
    std::fs::remove_dir_all(attack.path("content/pages")).expect("remove pages");
    attack.link("content/pages", &attack.outside);
    let run = attack.run(&["build"]);
    run.failure(1);
    assert!(
        run.stderr.contains("content/pages") && run.stderr.contains("outside the site"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("PRIVATE-KEY-MATERIAL"),
        "{}",
        run.stderr
    );
    attack.assert_nothing_published();
}

#[test]
fn a_file_in_a_static_folder_that_links_out_is_named_and_not_copied() {
    let attack = Attack::new("basic");
    attack.link("static/keys/id_rsa", &attack.outside.join(".ssh/id_rsa"));
    let run = attack.run(&["build"]);
    run.failure(1);
    assert!(
        run.stderr.contains("static/keys/id_rsa") && run.stderr.contains("outside the site"),
        "{}",
        run.stderr
    );
    attack.assert_nothing_published();
}

#[test]
fn a_link_that_stays_inside_the_site_is_followed() {
    let attack = Attack::new("basic");
    attack.write("shared/logo.txt", "our logo\n");
    attack.link("static/logo.txt", Path::new("../shared/logo.txt"));
    attack.run(&["build"]).success();
    assert_eq!(
        std::fs::read_to_string(attack.path("public/logo.txt")).expect("copied"),
        "our logo\n"
    );
}

#[test]
fn a_theme_is_a_plain_folder_name_under_themes() {
    let attack = Attack::new("basic");
    std::fs::create_dir_all(attack.outside.join("evil/templates")).expect("mkdir");
    std::fs::create_dir_all(attack.outside.join("evil/static")).expect("mkdir");
    std::fs::copy(
        attack.outside.join(".ssh/id_rsa"),
        attack.outside.join("evil/static/id_rsa"),
    )
    .expect("copy");
    let config = std::fs::read_to_string(attack.path("hearth.toml")).expect("config");
    let evil = attack.outside.join("evil");
    for theme in [
        "../../outside/evil".to_string(),
        evil.display().to_string(),
        ".hidden".to_string(),
    ] {
        attack.write("hearth.toml", &format!("theme = \"{theme}\"\n{config}"));
        let run = attack.run(&["build"]);
        run.failure(1);
        assert!(
            run.stderr.contains("hearth.toml:1") && run.stderr.contains("themes/"),
            "{theme}: {}",
            run.stderr
        );
        attack.assert_nothing_published();
    }
    // A folder under themes/ that links out is not read either.
    attack.link("themes/evil", &evil);
    attack.write("hearth.toml", &format!("theme = \"evil\"\n{config}"));
    let run = attack.run(&["build"]);
    run.failure(1);
    assert!(run.stderr.contains("outside the site"), "{}", run.stderr);
    attack.assert_nothing_published();
}

#[test]
fn hearth_new_does_not_write_through_a_symlinked_section() {
    let attack = Attack::new("basic");
    std::fs::remove_dir_all(attack.path("content/posts")).expect("remove posts");
    attack.link("content/posts", &attack.outside);
    let before = attack.outside_now();
    let site = attack.site.to_str().expect("utf-8");
    let run = hearth(&["new", "post", "Planted", "--site", site]);
    run.failure(1);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(attack.outside_now(), before, "outside changed");
}

/// The newsletter fixture with a few subscribers, for the commands that write
/// state into `.hearth/` and `newsletter/`.
fn newsletter_attack() -> Attack {
    let attack = Attack::new("newsletter");
    attack.write(
        "subscribers.csv",
        "email,name\nada@example.org,Ada\nbob@example.org,Bob\n",
    );
    attack
}

#[test]
fn newsletter_preview_does_not_write_through_a_symlinked_state_folder() {
    let attack = newsletter_attack();
    attack.link(".hearth", &attack.outside.join(".ssh"));
    let before = attack.outside_now();
    let run = attack.run(&["newsletter", "preview"]);
    run.failure(1);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(attack.outside_now(), before, "outside changed");
}

#[test]
fn newsletter_preview_does_not_write_through_a_symlinked_file() {
    let attack = newsletter_attack();
    // The file hearth writes, planted as a link to the owner's authorized_keys.
    attack.link(
        ".hearth/preview/issue-1.html",
        &attack.outside.join(".ssh/authorized_keys"),
    );
    let before = attack.outside_now();
    let run = attack.run(&["newsletter", "preview"]);
    run.failure(1);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(attack.outside_now(), before, "outside changed");
}

#[test]
fn a_dry_run_does_not_write_or_clear_through_a_symlinked_outbox() {
    let attack = newsletter_attack();
    std::fs::write(attack.outside.join("kept.eml"), "the owner's mail\n").expect("write");
    attack.link(".hearth/outbox/issue-1", &attack.outside);
    let before = attack.outside_now();
    let run = attack.run(&["newsletter", "send", "--dry-run"]);
    run.failure(1);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(attack.outside_now(), before, "outside changed");
}

#[test]
fn unsubscribe_does_not_append_through_a_symlinked_suppression_list() {
    let attack = newsletter_attack();
    attack.link(
        "newsletter/suppressed.txt",
        &attack.outside.join(".ssh/authorized_keys"),
    );
    let before = attack.outside_now();
    let site = attack.site.to_str().expect("utf-8");
    let run = hearth(&[
        "newsletter",
        "unsubscribe",
        site,
        "ssh-ed25519@evil.example.org",
    ]);
    run.failure(1);
    assert_eq!(attack.outside_now(), before, "outside changed");
}

#[test]
fn the_subscribers_file_is_not_read_through_a_link_out_of_the_site() {
    let attack = newsletter_attack();
    std::fs::write(
        attack.outside.join("people.csv"),
        "email,name\nstolen@example.org,PRIVATE-KEY-MATERIAL\n",
    )
    .expect("write");
    std::fs::remove_file(attack.path("subscribers.csv")).expect("remove");
    attack.link("subscribers.csv", &attack.outside.join("people.csv"));
    let run = attack.run(&["newsletter", "send", "--dry-run"]);
    run.failure(1);
    assert!(run.stderr.contains("outside the site"), "{}", run.stderr);
    let outbox = attack.path(".hearth/outbox");
    if outbox.is_dir() {
        assert!(
            snapshot(&outbox).is_empty(),
            "mail was composed for a stolen list"
        );
    }
}

#[test]
fn send_does_not_write_its_ledger_or_lock_through_a_symlinked_state_folder() {
    let attack = newsletter_attack();
    let config = std::fs::read_to_string(attack.path("hearth.toml")).expect("config");
    // A server that is never reached: the state folder is checked first.
    attack.write(
        "hearth.toml",
        &format!("{config}\n[smtp]\nhost = \"127.0.0.1\"\nport = 9\nsecurity = \"none\"\n"),
    );
    attack.link(".hearth/newsletter", &attack.outside.join(".ssh"));
    let before = attack.outside_now();
    let run = attack.run(&["newsletter", "send"]);
    run.failure(1);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(attack.outside_now(), before, "outside changed");
    assert!(
        !attack.path("newsletter/issues.toml").exists(),
        "an issue was recorded as sending"
    );
}
