//! [`Tags`]: a resource's tags, as AWS gives them: a few keys, each with its value.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A resource's tags, sorted by key, each key once. It reads, writes and compares as the map it is (a JSON object
/// in a snapshot), but is kept as one sorted list: a `BTreeMap` allocates a whole node of eleven entries (~0.5 KB)
/// for even one tag, and an organisation's snapshot has hundreds of thousands of groups, most with a tag or a
/// few (issue 15: about half the memory of the groups of a simulated organisation, one tag each).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<(String, String)>);

impl Tags {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`, if it is tagged.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Tags `key` with `value`, giving back the value it replaced.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// Every tag, by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
}

/// Later values of a key win, as a map's do.
impl FromIterator<(String, String)> for Tags {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let map: BTreeMap<String, String> = iter.into_iter().collect();
        Tags(map.into_iter().collect())
    }
}

impl<const N: usize> From<[(String, String); N]> for Tags {
    fn from(tags: [(String, String); N]) -> Self {
        tags.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for Tags {
    fn from(tags: BTreeMap<String, String>) -> Self {
        Tags(tags.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (String, String)>, fn(&'a (String, String)) -> Self::Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Serialize for Tags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(deserializer).map(Tags::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_writes_and_compares_as_a_map() {
        let mut tags = Tags::new();
        assert_eq!(tags.insert("b".into(), "2".into()), None);
        assert_eq!(tags.insert("a".into(), "1".into()), None);
        assert_eq!(tags.insert("b".into(), "3".into()), Some("2".into()));
        assert_eq!(tags.iter().collect::<Vec<_>>(), [(&"a".to_string(), &"1".to_string()), (&"b".into(), &"3".into())]);
        assert_eq!((tags.get("b").map(String::as_str), tags.get("c"), tags.len()), (Some("3"), None, 2));
        let json = serde_json::to_string(&tags).expect("serialises");
        assert_eq!(json, r#"{"a":"1","b":"3"}"#);
        let back: Tags = serde_json::from_str(r#"{"b":"3","a":"1"}"#).expect("parses");
        assert_eq!(back, tags);
        let from_pairs: Tags =
            [("b".to_string(), "x".to_string()), ("b".to_string(), "3".to_string()), ("a".into(), "1".into())]
                .into_iter()
                .collect();
        assert_eq!(from_pairs, tags, "sorted, and a later value of a key wins");
    }
}
