//! Hash helpers shared by every stage: change detection for texts (Markdown bodies, rendered
//! HTML), small values (keys, plans) and template values (the contexts an output renders from).
//! Hashes are stable within one process run only; they are never stored across versions.

use std::hash::{BuildHasher, DefaultHasher, Hash, Hasher};

/// Hashes anything hashable.
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Hashes a long text (a Markdown body, rendered HTML) to tell whether it changed. foldhash
/// (fixed seed, so equal texts always hash equal) reads 16 bytes per step, many times faster
/// than the standard hasher on kilobytes of input.
pub(crate) fn hash_text(text: &str) -> u64 {
    hash_bytes(text.as_bytes())
}

/// [`hash_text`] for bytes.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    foldhash::quality::FixedState::with_seed(0x6c75_6464).hash_one(bytes)
}

/// Feeds a template value into `h`: every string, number, flag, list and map entry, so two
/// values hash equal only when a template sees the same data in them. Map entries are combined
/// in an order-independent way (Tera's maps are unordered); long strings go through
/// [`hash_text`].
pub(crate) fn hash_value(value: &tera::Value, h: &mut impl Hasher) {
    use tera::value::ValueKind;
    let kind = value.kind();
    std::mem::discriminant(&kind).hash(h);
    match kind {
        ValueKind::String => {
            value.is_safe().hash(h);
            let s = value.as_str().unwrap_or_default();
            if s.len() > 64 {
                hash_text(s).hash(h);
            } else {
                s.hash(h);
            }
        }
        ValueKind::Array => {
            let items = value.as_array().unwrap_or_default();
            items.len().hash(h);
            for v in items {
                hash_value(v, h);
            }
        }
        ValueKind::Map => {
            let mut sum = 0u64;
            if let Some(map) = value.as_map() {
                map.len().hash(h);
                for (k, v) in map {
                    let mut entry = DefaultHasher::new();
                    k.hash(&mut entry);
                    hash_value(v, &mut entry);
                    sum = sum.wrapping_add(entry.finish());
                }
            }
            sum.hash(h);
        }
        ValueKind::Bool => value.as_bool().hash(h),
        ValueKind::Bytes => value.as_bytes().hash(h),
        _ => {
            // Numbers: their text is what a template prints and compares.
            value.to_string().hash(h);
        }
    }
}

/// The digest of a template value: [`hash_value`] into a hasher of its own.
pub(crate) fn value_digest(value: &tera::Value) -> u64 {
    let mut h = DefaultHasher::new();
    hash_value(value, &mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(v: &tera::Value) -> u64 {
        let mut h = DefaultHasher::new();
        hash_value(v, &mut h);
        h.finish()
    }

    #[test]
    fn values_hash_by_content() {
        let a = tera::Value::from(vec![tera::Value::from("x"), tera::Value::from(1u64)]);
        let b = tera::Value::from(vec![tera::Value::from("x"), tera::Value::from(1u64)]);
        let c = tera::Value::from(vec![tera::Value::from("x"), tera::Value::from(2u64)]);
        assert_eq!(of(&a), of(&b));
        assert_ne!(of(&a), of(&c));
        assert_ne!(
            of(&tera::Value::from("<b>")),
            of(&tera::Value::safe_string("<b>"))
        );
        assert_ne!(of(&tera::Value::none()), of(&tera::Value::from("")));
    }
}
