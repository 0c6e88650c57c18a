//! Warnings collected during a build: shared by the parallel render workers, reported once each.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// A shared, de-duplicated list of warnings owned by one build.
#[derive(Debug, Clone, Default)]
pub struct Warnings(Arc<Mutex<BTreeSet<String>>>);

impl Warnings {
    /// Records `message` unless it was recorded before.
    pub fn once(&self, message: String) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(message);
        }
    }

    /// All warnings, sorted.
    pub fn list(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
}
