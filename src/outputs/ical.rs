//! TODO(ical): being written.

use crate::model::Site;
use crate::render::Rendered;

pub fn files(_site: &Site) -> Vec<Rendered> {
    Vec::new()
}
