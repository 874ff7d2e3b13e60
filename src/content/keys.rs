//! The keys a file of one kind may hold, read from the serde struct that parses it,
//! so that "did you mean" hints suggest a post's keys for a post and hearth.toml's
//! for hearth.toml, and stay right when a field is added.

use std::cell::RefCell;

use serde::Deserialize;
use serde::de::value::{Error, MapDeserializer, SeqDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};

/// Every key `T` reads: top-level ones as `title`, keys of its tables as
/// `markdown.unsafe_html`.
///
/// `T` is run against a probe that answers each struct with all of its fields and
/// every other value with an empty one; serde's derive names the fields when it asks
/// for a struct. Maps with free keys (`links`, `extra`) hold no known keys.
pub fn known_keys<T: for<'de> Deserialize<'de>>() -> Vec<String> {
    let found = RefCell::new(Vec::new());
    // The probe's values are made up, so whatever `T` makes of them is dropped;
    // the fields were recorded on the way.
    let _ = T::deserialize(Probe {
        prefix: String::new(),
        found: &found,
    });
    found.into_inner()
}

/// Every number is zero: all number types accept it.
macro_rules! numbers {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.visit_u8(0)
        })*
    };
}

struct Probe<'p> {
    /// `markdown.` for the fields of the `markdown` table.
    prefix: String,
    found: &'p RefCell<Vec<String>>,
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str("")
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(false)
    }

    numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(SeqDeserializer::new(std::iter::empty::<&str>()))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(MapDeserializer::new(std::iter::empty::<(&str, &str)>()))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.found
            .borrow_mut()
            .extend(fields.iter().map(|f| format!("{}{f}", self.prefix)));
        visitor.visit_map(Fields {
            fields: fields.iter(),
            current: "",
            prefix: self.prefix,
            found: self.found,
        })
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf
        unit_struct tuple tuple_struct enum identifier ignored_any
    }
}

/// The fields of one struct, each with a probe as its value.
struct Fields<'p> {
    fields: std::slice::Iter<'static, &'static str>,
    current: &'static str,
    prefix: String,
    found: &'p RefCell<Vec<String>>,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(field) = self.fields.next() else {
            return Ok(None);
        };
        self.current = field;
        let key: StrDeserializer<'_, Error> = field.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(Probe {
            prefix: format!("{}{}.", self.prefix, self.current),
            found: self.found,
        })
    }
}

/// The known key a written one most likely means, never the written key itself.
pub fn suggestions<'k>(written: &str, known: &'k [String]) -> Vec<&'k str> {
    crate::diag::closest(written, known.iter().map(String::as_str))
        .into_iter()
        .filter(|k| *k != written)
        .collect()
}

/// Whether `key` looks like a misspelt `draft` (at most two edits away): such a key
/// would publish what its author meant to hold back.
pub fn is_misspelt_draft(key: &str) -> bool {
    let key = key.to_lowercase();
    key != "draft" && strsim::levenshtein(&key, "draft") <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Conf {
        title: String,
        count: Option<u16>,
        tags: Vec<String>,
        #[serde(default)]
        links: std::collections::BTreeMap<String, String>,
        markdown: Option<Table>,
        smtp: Table,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Table {
        unsafe_html: Option<bool>,
        rate: f64,
    }

    #[test]
    fn the_keys_of_a_struct_and_its_tables_are_found() {
        assert_eq!(
            known_keys::<Conf>(),
            [
                "title",
                "count",
                "tags",
                "links",
                "markdown",
                "smtp",
                "markdown.unsafe_html",
                "markdown.rate",
                "smtp.unsafe_html",
                "smtp.rate",
            ]
        );
    }

    #[test]
    fn a_key_is_never_suggested_for_itself() {
        let known = vec!["description".to_string(), "title".to_string()];
        assert_eq!(suggestions("descripton", &known), ["description"]);
        assert!(suggestions("description", &known).is_empty());
    }

    #[test]
    fn misspellings_of_draft_are_told_apart_from_other_keys() {
        for key in ["draf", "drafts", "darft", "Draft_", "raft"] {
            assert!(is_misspelt_draft(key), "{key}");
        }
        for key in ["draft", "date", "title", "drafted_by"] {
            assert!(!is_misspelt_draft(key), "{key}");
        }
    }
}
