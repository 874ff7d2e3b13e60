//! hearth turns a folder of markdown (posts, member spotlights, events, pages) into a
//! community website.
//!
//! The pipeline runs one way:
//!
//! 1. [`config`] reads `hearth.toml` into a checked [`config::Config`].
//! 2. [`content`] walks `content/`, splits front matter from markdown, checks every
//!    file and assembles a [`model::Site`] of what is published. Every problem of
//!    every file is collected ([`diag`]) before anything is written.
//! 3. [`render`] compiles the theme's Tera templates once and renders each page from
//!    typed views ([`render::views`]); it never reads content from disk.
//!    [`outputs`] makes the files machines read: feeds, calendars, sitemap, search
//!    index.
//! 4. [`output`] writes into a staging folder and, only when the whole build
//!    succeeded, swaps it in (a new output folder) or moves just the changed files
//!    into the previous output (the manifest of content hashes says which).
//!
//! [`build::build`] runs the whole pipeline; the `hearth` binary ([`cli`]) is a thin
//! layer over it. [`import`] moves a Jekyll, Hugo or Zola site into hearth's shape.

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod desk;
pub mod diag;
pub mod files;
pub mod hash;
pub mod http;
pub mod images;
pub mod import;
pub mod model;
pub mod newsletter;
pub mod output;
pub mod outputs;
pub mod progress;
pub mod render;
pub mod scaffold;
pub mod serve;

pub use build::{BuildOptions, BuildReport, build};
