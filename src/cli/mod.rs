//! The command line: global options, one subcommand per file, and how results are
//! shown to people.

mod build;
mod calendar;
mod check;
mod import;
mod init;
mod list;
mod newsletter;
mod report;
mod serve;

use std::io::IsTerminal as _;

use anyhow::Result;
use clap::{Parser, Subcommand};
use jiff::Timestamp;

use crate::diag::{Diagnostic, Severity};

/// Turn a folder of markdown into a community website.
///
/// hearth reads posts, member spotlights, events and pages from `content/`, checks
/// every file, and writes a complete static site. See README.md for a tour.
/// The version with the commit it was built from (`unknown` outside a git checkout).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("HEARTH_COMMIT"), ")");

#[derive(Debug, Parser)]
#[command(
    name = "hearth",
    version = VERSION,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Treat this instant as now (RFC 3339, e.g. 2026-11-22T09:00:00Z): decides which
    /// posts are in the future and which events are upcoming. For reproducible builds.
    #[arg(long, global = true, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<Timestamp>,

    /// Print only errors and warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more about what hearth does (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a small working site into DIR (which must be new or empty).
    Init(init::InitArgs),
    /// Write a new post, member, event or page with its front matter filled in.
    New(init::NewArgs),
    /// Build the site into SITE/public (or --out DIR).
    Build(build::BuildArgs),
    /// Check all content and every internal link and #anchor of the built site.
    Check(check::CheckArgs),
    /// Build, serve on http, watch files and reload open browser tabs on change.
    Serve(serve::ServeArgs),
    /// Read a Jekyll, Hugo or Zola site and write it as a hearth site.
    Import(import::ImportArgs),
    /// Compose, preview and send the email digest.
    Newsletter(newsletter::NewsletterArgs),
    /// The organizers' content calendar: what publishes, happens and goes out next.
    Calendar(calendar::CalendarArgs),
    /// The community report, month by month, as HTML with charts and a text summary.
    Report(report::ReportArgs),
    /// List posts, drafts, scheduled posts, events and members with dates and files.
    List(list::ListArgs),
    /// Print a shell completion script (e.g. `hearth completions bash > ~/.local/share/bash-completion/completions/hearth`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

fn parse_now(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>()
        .map_err(|e| format!("expected an RFC 3339 instant like 2026-11-22T09:00:00Z: {e}"))
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> Result<()> {
    let out = Output::new(cli.quiet);
    let now = cli.now.unwrap_or_else(Timestamp::now);
    match cli.command {
        Command::Init(args) => init::init(args, now, &out),
        Command::New(args) => init::new(args, now, &out),
        Command::Build(args) => build::run(args, now, &out),
        Command::Check(args) => check::run(args, now, &out),
        Command::Import(args) => import::run(args, now, &out),
        Command::Newsletter(args) => newsletter::run(args, cli.now, &out),
        Command::Calendar(args) => calendar::run(args, now, &out),
        Command::Report(args) => report::run(args, now, &out),
        Command::List(args) => list::run(args, now, &out),
        Command::Serve(args) => serve::run(args, cli.now),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "hearth", &mut script);
            say(String::from_utf8_lossy(&script).trim_end());
            Ok(())
        }
    }
}

/// How results reach people: messages on stderr (coloured on a terminal unless
/// `NO_COLOR` is set), summaries on stdout unless `--quiet`.
pub struct Output {
    quiet: bool,
    color: bool,
}

impl Output {
    pub fn new(quiet: bool) -> Output {
        Output {
            quiet,
            color: use_color(),
        }
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A one-line summary of work done.
    pub fn summary(&self, text: &str) {
        if !self.quiet {
            say(text);
        }
    }

    /// A problem or note, on stderr. Notes are left out with `--quiet`.
    pub fn diagnostic(&self, d: &Diagnostic) {
        if self.quiet && d.severity == Severity::Note {
            return;
        }
        eprintln!("{}", self.paint_diagnostic(d));
    }

    fn paint_diagnostic(&self, d: &Diagnostic) -> String {
        if d.source_line.is_some() {
            return d.render(self.color);
        }
        let plain = d.to_string();
        if !self.color {
            return plain;
        }
        let code = match d.severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Note => "1;36",
        };
        let label = d.severity.label();
        let painted = format!("\x1b[{code}m{label}\x1b[0m: ");
        match plain.strip_prefix(&format!("{label}: ")) {
            Some(rest) => format!("{painted}{rest}"),
            None => plain.replacen(&format!(": {label}: "), &format!(": {painted}"), 1),
        }
    }

    /// The final word on a failed run.
    pub fn error_line(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1;31merror\x1b[0m: {text}")
        } else {
            format!("error: {text}")
        }
    }
}

/// Writes a file at a path the user named on the command line, through
/// [`crate::files`]: its folder must exist, and a symbolic link in its place is an
/// error, never followed. Returns the path written.
pub fn write_user_file(file: &std::path::Path, bytes: &[u8]) -> Result<std::path::PathBuf> {
    let (Some(name), parent) = (file.file_name(), file.parent()) else {
        anyhow::bail!("`{}` is not a file name", file.display());
    };
    let dir = parent
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if !dir.is_dir() {
        anyhow::bail!(
            "cannot write `{}`: the folder `{}` does not exist",
            file.display(),
            dir.display()
        );
    }
    crate::files::write(dir, std::path::Path::new(name), bytes)
}

/// Writes a line to stdout. A closed pipe (`hearth ... | head`) is not an error and
/// must never become a panic, as `println!` would make it.
pub fn say(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{text}");
}

/// Colour when stderr is a terminal and `NO_COLOR` is unset or empty.
pub fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn the_cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
