//! Page keys (see [`super::Sink`]) hash a page's template context as it is, value by
//! value, without writing it out as JSON first: each value goes into the hash with
//! a tag for its kind and, for text and lists, its length, so two different
//! contexts do not run together into the same bytes. Short values are gathered
//! first and hashed in one go (many small writes cost the hash far more); a long
//! text goes to the hash as it is, without being copied. The hash is of the same
//! bytes either way.

use serde::ser::{self, Serialize};

use crate::hash::Hasher;

/// Texts at least this long are hashed where they are.
const LONG: usize = 256;

thread_local! {
    /// The buffer of short values, kept between keys on each thread.
    static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Feeds `value` into `hasher`.
pub fn hash(hasher: &mut Hasher, value: &impl Serialize) -> Result<(), Unhashable> {
    // Taken, not borrowed: hashing a value may hash another one (a listed view).
    let mut bytes = BUFFER.take();
    bytes.clear();
    let mut keyed = Keyed {
        bytes: &mut bytes,
        hasher,
    };
    let done = value.serialize(&mut keyed);
    keyed.flush();
    BUFFER.set(bytes);
    done
}

/// A value that cannot be hashed (a serializer error of its own, such as a map
/// whose keys are not text).
#[derive(Debug)]
pub struct Unhashable(String);

impl std::fmt::Display for Unhashable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unhashable {}

impl ser::Error for Unhashable {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Unhashable(msg.to_string())
    }
}

struct Keyed<'a> {
    bytes: &'a mut Vec<u8>,
    hasher: &'a mut Hasher,
}

impl Keyed<'_> {
    fn tag(&mut self, tag: u8) -> &mut Self {
        self.bytes.push(tag);
        self
    }

    fn text(&mut self, tag: u8, text: &[u8]) -> Result<(), Unhashable> {
        self.count(tag, Some(text.len()));
        if text.len() >= LONG {
            self.flush();
            self.hasher.bytes(text);
        } else {
            self.bytes.extend_from_slice(text);
        }
        Ok(())
    }

    fn number(&mut self, tag: u8, bytes: &[u8]) -> Result<(), Unhashable> {
        self.tag(tag).bytes.extend_from_slice(bytes);
        Ok(())
    }

    fn count(&mut self, tag: u8, len: Option<usize>) -> &mut Self {
        let len = len.map_or(u64::MAX, |n| n as u64);
        self.tag(tag).bytes.extend_from_slice(&len.to_le_bytes());
        self
    }

    /// Hashes the short values gathered so far.
    fn flush(&mut self) {
        self.hasher.bytes(self.bytes);
        self.bytes.clear();
    }
}

impl<'a, 'h> ser::Serializer for &'a mut Keyed<'h> {
    type Ok = ();
    type Error = Unhashable;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), Unhashable> {
        self.number(b'b', &[u8::from(v)])
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unhashable> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unhashable> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unhashable> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unhashable> {
        self.number(b'i', &v.to_le_bytes())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Unhashable> {
        self.number(b'I', &v.to_le_bytes())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unhashable> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unhashable> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unhashable> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unhashable> {
        self.number(b'u', &v.to_le_bytes())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Unhashable> {
        self.number(b'U', &v.to_le_bytes())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unhashable> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unhashable> {
        self.number(b'f', &v.to_bits().to_le_bytes())
    }
    fn serialize_char(self, v: char) -> Result<(), Unhashable> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Unhashable> {
        self.text(b's', v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unhashable> {
        self.text(b'B', v)
    }
    fn serialize_none(self) -> Result<(), Unhashable> {
        self.number(b'n', &[])
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Unhashable> {
        self.tag(b'S');
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unhashable> {
        self.number(b'0', &[])
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Unhashable> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Unhashable> {
        self.text(b'v', variant.as_bytes())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Unhashable> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unhashable> {
        self.text(b'V', variant.as_bytes())?;
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Unhashable> {
        Ok(self.count(b'[', len))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Unhashable> {
        Ok(self.count(b'(', Some(len)))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Unhashable> {
        Ok(self.count(b'(', Some(len)))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Unhashable> {
        self.text(b'V', variant.as_bytes())?;
        Ok(self.count(b'(', Some(len)))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, Unhashable> {
        Ok(self.count(b'{', len))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self, Unhashable> {
        Ok(self.count(b'{', Some(len)))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Unhashable> {
        self.text(b'V', variant.as_bytes())?;
        Ok(self.count(b'{', Some(len)))
    }
}

/// The end of a list, map or struct: what follows cannot be taken for part of it.
fn close(k: &mut Keyed<'_>) -> Result<(), Unhashable> {
    k.tag(b'.');
    Ok(())
}

/// Lists and tuples: each element in order, then the end.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Keyed<'_> {
            type Ok = ();
            type Error = Unhashable;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unhashable> {
                value.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Unhashable> {
                close(self)
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Keyed<'_> {
    type Ok = ();
    type Error = Unhashable;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Unhashable> {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unhashable> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Unhashable> {
        close(self)
    }
}

impl ser::SerializeStruct for &mut Keyed<'_> {
    type Ok = ();
    type Error = Unhashable;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unhashable> {
        self.text(b'k', key.as_bytes())?;
        value.serialize(&mut **self)
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), Unhashable> {
        self.text(b'-', key.as_bytes())
    }
    fn end(self) -> Result<(), Unhashable> {
        close(self)
    }
}

impl ser::SerializeStructVariant for &mut Keyed<'_> {
    type Ok = ();
    type Error = Unhashable;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unhashable> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<(), Unhashable> {
        close(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(value: &impl Serialize) -> u128 {
        let mut h = Hasher::default();
        hash(&mut h, value).expect("hashes");
        h.finish()
    }

    #[test]
    fn values_that_differ_hash_apart() {
        assert_ne!(key(&("ab", "c")), key(&("a", "bc")));
        assert_ne!(
            key(&vec![vec![1u32], vec![]]),
            key(&vec![vec![], vec![1u32]])
        );
        assert_ne!(key(&Some("x")), key(&"x"));
        assert_ne!(key(&None::<u8>), key(&()));
        assert_ne!(key(&1u64), key(&1i64));
        assert_eq!(
            key(&serde_json::json!({"a": [1, "b"]})),
            key(&serde_json::json!({"a": [1, "b"]}))
        );
        assert_ne!(
            key(&serde_json::json!({"a": 1})),
            key(&serde_json::json!({"b": 1}))
        );
    }

    #[test]
    fn a_long_text_hashes_as_the_bytes_it_stands_for() {
        let long = "x".repeat(LONG * 3);
        let value = ("a", long.as_str(), 7u8);
        // The bytes the module doc describes, gathered in one buffer.
        let mut bytes = Vec::new();
        bytes.push(b'(');
        bytes.extend_from_slice(&3u64.to_le_bytes());
        for text in ["a", long.as_str()] {
            bytes.push(b's');
            bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
        bytes.push(b'u');
        bytes.extend_from_slice(&7u64.to_le_bytes());
        bytes.push(b'.');
        assert_eq!(key(&value), Hasher::default().bytes(&bytes).finish());
    }
}
