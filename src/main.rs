//! The `hearth` binary: parse the command line, run, and turn the outcome into an exit
//! code. 0 success, 1 bad content, config or input, 2 bad usage.

use std::process::ExitCode;

use clap::Parser as _;
use hearth::cli::{Cli, Output, run};
use hearth::diag::Problems;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.quiet, cli.verbose);
    let out = Output::new(cli.quiet);
    match run_with_big_stacks(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Content problems are listed one per line, each with its place.
            if let Some(problems) = e.downcast_ref::<Problems>() {
                for d in &problems.diagnostics {
                    out.diagnostic(d);
                }
                // A command may add what the problems mean for its work.
                let outcome = e
                    .chain()
                    .next()
                    .map(ToString::to_string)
                    .filter(|_| e.chain().count() > 1);
                let summary = match outcome {
                    Some(outcome) => format!("{}; {outcome}", problems.summary()),
                    None => problems.summary(),
                };
                eprintln!("{}", out.error_line(&summary));
            } else {
                eprintln!("{}", out.error_line(&format!("{e:#}")));
            }
            ExitCode::from(1)
        }
    }
}

/// Stack for every thread that renders templates. Tera recurses once per nested
/// include, macro call and block; cycles are refused before rendering
/// (`render::recursion`), and this leaves room for deep but finite nesting. It is
/// address space: only the pages a render touches are used.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// `run` on a thread with a big stack, with rayon's workers given the same.
fn run_with_big_stacks(cli: Cli) -> anyhow::Result<()> {
    // Fails only when a pool exists already, which then keeps its own stacks.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_BYTES)
        .build_global();
    let worker = std::thread::Builder::new()
        .name("hearth".to_string())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    match worker {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("hearth stopped on an internal error"))),
        Err(e) => Err(anyhow::anyhow!("cannot start a thread: {e}")),
    }
}

fn init_logging(quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => tracing::Level::ERROR,
        (false, 0) => tracing::Level::WARN,
        (false, 1) => tracing::Level::INFO,
        (false, 2) => tracing::Level::DEBUG,
        (false, _) => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(hearth::cli::use_color())
        .without_time()
        .init();
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
