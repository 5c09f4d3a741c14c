//! serde reading straight from a value tree: `certgate.yaml` is deserialized from its YAML nodes
//! exactly as serde_json would deserialize their JSON form ([`crate::source::value::json::to_json`]), without
//! building that form first.

use serde::de::value::{Error, MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{Deserializer, IntoDeserializer, Visitor};

use crate::source::value::{Node, Scalar, Value};

impl<'de> Deserializer<'de> for &'de Node {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.value {
            Value::Scalar(Scalar::Null) => visitor.visit_unit(),
            Value::Scalar(Scalar::Bool(b)) => visitor.visit_bool(*b),
            Value::Scalar(Scalar::Int(i)) => visitor.visit_i64(*i),
            // JSON has no NaN or infinities: `to_json` makes them null.
            Value::Scalar(Scalar::Float(f)) if f.is_finite() => visitor.visit_f64(*f),
            Value::Scalar(Scalar::Float(_)) => visitor.visit_unit(),
            Value::Scalar(Scalar::Str(s)) => visitor.visit_borrowed_str(s),
            Value::Seq(items) => {
                let mut seq = SeqDeserializer::new(items.iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Map(m) => {
                let mut map = MapDeserializer::new(m.iter().map(|e| (e.key.as_str(), &e.node)));
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.value {
            Value::Scalar(Scalar::Null) => visitor.visit_none(),
            Value::Scalar(Scalar::Float(f)) if !f.is_finite() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// As serde_json reads an enum: a string is a unit variant, a one-key mapping a variant with
    /// its content.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.value {
            Value::Scalar(Scalar::Str(s)) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Map(m) if m.len() == 1 => visitor.visit_enum(MapAccessDeserializer::new(MapDeserializer::new(
                m.iter().map(|e| (e.key.as_str(), &e.node)),
            ))),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for &'de Node {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use crate::source::value::json::to_json;
    use crate::source::{SourceId, yaml};

    #[derive(Debug, PartialEq, Deserialize)]
    struct Sample {
        name: String,
        helm: Option<u8>,
        #[serde(default)]
        values: Vec<String>,
        nested: Option<Inner>,
        #[serde(default)]
        rules: BTreeMap<String, serde_json::Value>,
        ratio: Option<f64>,
        flag: Option<bool>,
        level: Option<Level>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Level {
        Error,
        MustKeepWorking,
        Days(u32),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Inner {
        key: Option<String>,
        cert: Option<String>,
    }

    fn node(text: &str) -> crate::source::value::Node {
        let loaded = yaml::load(text, SourceId(0), &yaml::Limits::default());
        assert!(loaded.problems.is_empty(), "{text}: {:?}", loaded.problems);
        loaded.root.expect("a document")
    }

    /// From the tree and from its JSON form, the same value or the same error.
    fn both(text: &str) -> (Result<Sample, String>, Result<Sample, String>) {
        let root = node(text);
        let direct = Sample::deserialize(&root).map_err(|e| e.to_string());
        let via_json = serde_json::from_value::<Sample>(to_json(&root)).map_err(|e| e.to_string());
        (direct, via_json)
    }

    #[test]
    fn reads_what_serde_json_reads_from_the_json_form() {
        let texts = [
            "name: es\nhelm: 2\nvalues: [a.yaml, b.yaml]\nnested: {key: k.pem, cert: null}\nrules: {CG209: off, CG307: error, CG1: 5, CG2: [1, x]}\nratio: 0.5\nflag: yes\nlevel: error\n",
            "name: es\nlevel: must-keep-working\n",
            "name: es\nlevel: {days: 30}\n",
            "name: es\nhelm: null\nnested: null\nratio: 3\n",
            "name: 'quoted'\nunknown: [1, 2, {a: b}]\nvalues: []\n",
        ];
        for text in texts {
            let (direct, via_json) = both(text);
            assert!(direct.is_ok(), "{text}: {direct:?}");
            assert_eq!(direct, via_json, "{text}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        // Wrong types and missing fields fail both ways (the messages may be worded differently).
        let texts = [
            "helm: 2\n",
            "name: es\nhelm: 300\n",
            "name: es\nhelm: 2.5\n",
            "name: es\nhelm: -1\n",
            "name: es\nvalues: a.yaml\n",
            "name: [es]\n",
            "name: es\nnested: {key: 1}\n",
            "name: es\nflag: maybe\n",
            "name: es\nlevel: fatal\n",
            "name: es\nlevel: [error]\n",
            "name: es\nlevel: {days: 30, error: null}\n",
        ];
        for text in texts {
            let (direct, via_json) = both(text);
            assert!(
                direct.is_err() && via_json.is_err(),
                "{text}: {direct:?} / {via_json:?}"
            );
        }
    }
}
