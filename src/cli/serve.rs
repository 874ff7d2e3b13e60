//! `hearth serve [SITE] [--port N] [--bind ADDR] [--drafts] [--open]`

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use jiff::Timestamp;

use crate::serve::{ServeOptions, serve};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site folder (the one with hearth.toml).
    #[arg(default_value = ".")]
    pub site: PathBuf,

    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,

    /// The address to listen on (0.0.0.0 to let other devices on your network in).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Include drafts and posts dated in the future.
    #[arg(long)]
    pub drafts: bool,

    /// Open the site in the default browser once it is served.
    #[arg(long)]
    pub open: bool,
}

pub fn run(args: ServeArgs, now: Option<Timestamp>) -> Result<()> {
    serve(&ServeOptions {
        site_dir: args.site,
        bind: args.bind,
        port: args.port,
        drafts: args.drafts,
        now,
        open: args.open,
    })
}
