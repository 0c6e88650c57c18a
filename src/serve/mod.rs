//! `ludd serve`: the live preview — a private build, a file watcher, incremental rebuilds and an
//! HTTP server that tells open pages to reload.

pub mod session;
