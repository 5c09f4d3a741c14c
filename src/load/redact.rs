//! What no renderer may quote: the spans of a unit's sources that hold private key material,
//! found by content and by place ([`redactions`]). `source::secret::Redactor` applies them, with its
//! own scan by content, to every byte certgate prints.

use crate::model::material::{self, Raw};
use crate::source::value::{Node, Origin, Scalar, Value};
use crate::source::{SourceId, SourceMap, Span};

/// Spans no renderer may quote: PEM files holding a private key, every YAML string value that is
/// (or is the base64 of) a private key, and, by where they are whatever they look like, every
/// `tls.key` value and every value of the Secret manifest's `data` and `stringData` (a key cut
/// short or in a form certgate does not know is still a key; when unsure, redact).
pub(super) fn redactions<'a>(
    sources: &SourceMap,
    raws: &[Raw],
    roots: impl Iterator<Item = &'a Node>,
    secret: Option<&Node>,
) -> Vec<(SourceId, Span)> {
    let mut out: Vec<(SourceId, Span)> = material::key_sources(raws)
        .into_iter()
        .map(|id| (id, Span::new(0, sources.get(id).text.len())))
        .collect();
    let mut by_place: Vec<&Node> = Vec::new();
    if let Some(secret) = secret {
        for field in ["data", "stringData"] {
            if let Some(map) = secret.lookup(field).and_then(Node::as_map) {
                by_place.extend(map.iter().map(|e| &e.node));
            }
        }
    }
    let roots: Vec<&Node> = roots.collect();
    // A Secret's key name (`tls.key` with tls.type=secret) is short and shows nothing.
    let key_name = |s: &str| s.len() < 16 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    by_place.extend(
        roots
            .iter()
            .filter_map(|r| r.lookup("tls.key"))
            .filter(|n| n.as_str().is_some_and(|s| !key_name(s))),
    );
    for node in by_place {
        if let (Value::Scalar(Scalar::Str(_)), Origin::File { source, span }) = (&node.value, &node.origin) {
            out.push((*source, *span));
        }
    }
    let roots = roots.into_iter();
    for root in roots {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Map(m) => stack.extend(m.iter().map(|e| &e.node)),
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Scalar(Scalar::Str(s)) if material::holds_private_key(s) => {
                    if let Origin::File { source, span } = node.origin {
                        out.push((source, span));
                    }
                }
                Value::Scalar(_) => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::material::{Holder, Role};
    use crate::source::Source;
    use crate::source::yaml;

    fn yaml(sources: &mut SourceMap, name: &str, text: &str) -> Node {
        let id = sources.add(Source::new(name, text));
        yaml::load(text, id, &yaml::Limits::default()).root.expect("yaml")
    }

    /// The redacted text of each span.
    fn quoted(sources: &SourceMap, spans: &[(SourceId, Span)]) -> Vec<String> {
        spans
            .iter()
            .map(|(id, span)| sources.get(*id).text[span.start..span.end].to_string())
            .collect()
    }

    #[test]
    fn keys_are_redacted_by_content_and_by_place() {
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let mut sources = SourceMap::new();
        let file = sources.add(Source::new("key.pem", key));
        let values = yaml(
            &mut sources,
            "values.yaml",
            "tls:\n  key: not-a-key-but-in-its-place\nother: 'x PRIVATE KEY x'\nname: plain\n",
        );
        let named = yaml(&mut sources, "named.yaml", "tls:\n  key: tls.key\n");
        let secret = yaml(
            &mut sources,
            "secret.yaml",
            "kind: Secret\ndata:\n  cert: Y2VydA==\nstringData:\n  note: hello\n",
        );
        let raws = [Raw {
            role: Role::Key,
            holder: Holder::File {
                source: file,
                path: "key.pem".into(),
            },
            text: key.into(),
            source: "key.pem".into(),
        }];
        let spans = redactions(&sources, &raws, [&values, &named].into_iter(), Some(&secret));
        let mut found = quoted(&sources, &spans);
        found.sort();
        assert_eq!(
            found,
            [
                "'x PRIVATE KEY x'".to_string(),
                key.to_string(),
                "Y2VydA==".to_string(),
                "hello".to_string(),
                "not-a-key-but-in-its-place".to_string(),
            ]
        );
        // A short key name (the Secret's `tls.key`) and ordinary values stay.
        assert!(!found.iter().any(|s| s == "tls.key" || s == "plain"));
    }
}
