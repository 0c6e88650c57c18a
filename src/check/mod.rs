//! Checks on the built site: page weights now; `ludd check` adds links, privacy and accessibility.

pub mod weight;
