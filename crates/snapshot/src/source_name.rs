//! [`SourceName`]: a source's id, as coverage entries and attachments name it.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::network::REACH_SOURCES;
use crate::posture::{ACCOUNT_SOURCES, REGION_POSTURE_SOURCES};
use crate::SOURCES;

/// A source's id (`ec2-network-interfaces`). The ids of this schema ([`SOURCES`], [`REACH_SOURCES`],
/// [`ACCOUNT_SOURCES`], [`REGION_POSTURE_SOURCES`]) are not copied into each entry that names them: an
/// organisation's snapshot names a source millions of times (134 coverage entries per account-region, and one
/// per attachment: 3.3 million at 1,000 accounts × 17 regions), each of which held its own copy of the id
/// (issue 15). Any other id (a snapshot of a later version, a test's) is kept as given.
///
/// It reads and compares as the `str` it is, and serialises as one.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceName(Cow<'static, str>);

impl SourceName {
    pub fn new(id: &str) -> Self {
        match known(id) {
            Some(id) => SourceName(Cow::Borrowed(id)),
            None => SourceName(Cow::Owned(id.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The schema's own copy of `id`, if it is one of its sources.
fn known(id: &str) -> Option<&'static str> {
    if let Ok(i) = SOURCES.binary_search(&id) {
        return Some(SOURCES[i]);
    }
    [REACH_SOURCES, ACCOUNT_SOURCES, REGION_POSTURE_SOURCES].into_iter().flatten().find(|s| **s == id).copied()
}

impl Deref for SourceName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SourceName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SourceName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SourceName {
    fn from(id: &str) -> Self {
        SourceName::new(id)
    }
}

impl From<String> for SourceName {
    fn from(id: String) -> Self {
        match known(&id) {
            Some(id) => SourceName(Cow::Borrowed(id)),
            None => SourceName(Cow::Owned(id)),
        }
    }
}

impl PartialEq<str> for SourceName {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for SourceName {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SourceName> for &str {
    fn eq(&self, other: &SourceName) -> bool {
        **self == *other.0
    }
}

impl fmt::Display for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for SourceName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SourceName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SourceName;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a source id")
            }

            fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<SourceName, E> {
                Ok(SourceName::new(id))
            }

            fn visit_string<E: serde::de::Error>(self, id: String) -> Result<SourceName, E> {
                Ok(SourceName::from(id))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schemas_ids_are_shared_and_others_kept_as_given() {
        for id in SOURCES.iter().chain(REACH_SOURCES).chain(ACCOUNT_SOURCES).chain(REGION_POSTURE_SOURCES) {
            let name: SourceName = serde_json::from_str(&format!("\"{id}\"")).unwrap();
            assert!(matches!(name.0, Cow::Borrowed(_)), "{id} was copied");
            assert_eq!(name, *id);
            assert_eq!(serde_json::to_string(&name).unwrap(), format!("\"{id}\""));
        }
        let other = SourceName::from("a-source-of-later");
        assert!(matches!(other.0, Cow::Owned(_)));
        assert_eq!(other.as_str(), "a-source-of-later");
        assert_eq!(format!("{other} {other:?}"), "a-source-of-later \"a-source-of-later\"");
    }

    #[test]
    fn sources_are_sorted_for_the_binary_search() {
        assert!(SOURCES.windows(2).all(|w| w[0] < w[1]));
    }
}
