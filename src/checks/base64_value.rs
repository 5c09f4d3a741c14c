//! `base64_value`: with `tls.type=provided`, the chart passes `tls.key`/`tls.cert`/`tls.cacert` to
//! its certificate job, which fails any value that is not one line of standard base64
//! (`^[A-Za-z0-9+/]*={0,3}$`). GNU `base64` wraps at 76 columns unless given `-w0`.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::coalesce::present;
use crate::model::unit::{TlsType, Unit};
use crate::source::value::Origin;

pub const KIND: Kind = Kind {
    name: "base64_value",
    summary: "With tls.type=provided, each value is one line of standard base64.",
    params: "paths: values paths holding base64 (tls.key, tls.cert, tls.cacert)",
    build: super::build::<Base64Value>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Base64Value {
    paths: Vec<String>,
}

impl Check for Base64Value {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        if unit.new_type() != Some(TlsType::Provided) {
            return;
        }
        for path in &self.paths {
            let Some(node) = present(&unit.effective, path) else {
                continue;
            };
            // A value certgate encoded from a PEM file (--cert, `certificates:`) is base64 by
            // construction: ~8 KB a unit not worth scanning again.
            if let Origin::File { source, .. } = node.origin
                && unit.pem_files.iter().any(|(id, _)| *id == source)
            {
                continue;
            }
            let Some(text) = node.as_str() else { continue };
            if let Some(why) = base64_problem(text) {
                emit.value(node, path, format!("{path} is not one line of standard base64: {why}"));
            }
        }
    }
}

/// The bytes of the standard base64 alphabet, padding aside.
const BASE64_ALPHABET: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
        b += 1;
    }
    table
};

/// Why `s` does not match `^[A-Za-z0-9+/]*={0,3}$`, in the words of the usual cause.
pub fn base64_problem(s: &str) -> Option<String> {
    let body = s.trim_end_matches('=');
    let padding = s.len() - body.len();
    // Bytes, not chars, looked up in a table: every unit has ~8 KB of these (its PEM files).
    let bad_at = body.bytes().position(|b| !BASE64_ALPHABET[usize::from(b)]);
    if bad_at.is_none() && padding <= 3 {
        // The chart's pattern lets through base64 that does not decode whole: a dropped
        // character, missing or extra `=` (RFC 4648 §4: the length is a multiple of four, with
        // at most two `=`). certgate cannot tell what such a value holds, so it does not pass it.
        return match (body.len() % 4, padding) {
            (0, 0) | (2, 2) | (3, 1) => None,
            (1, _) => Some(
                "its length leaves one character over: a character was dropped or added (copy the value again with base64 -w0)".into(),
            ),
            (0, _) => Some("it ends with '=' padding where none belongs".into()),
            (_, 0) => Some("the '=' padding at its end is missing".into()),
            _ => Some("its '=' padding does not match its length".into()),
        };
    }
    let bad = bad_at.and_then(|i| body.get(i..)).and_then(|rest| rest.chars().next());
    Some(if s.contains("-----BEGIN") {
        "it is PEM text; the chart wants the base64 of the PEM file: base64 -w0 < FILE".into()
    } else if s.trim_end().contains('\n') {
        "it spans several lines, as GNU base64 wraps at 76 columns: encode with base64 -w0".into()
    } else if s.ends_with('\n') || s.ends_with("\r\n") {
        "it ends with a newline (a block scalar `|` keeps one): use `|-` or a quoted one-line string".into()
    } else if s.contains(['-', '_'])
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '='))
    {
        "it uses the URL-safe alphabet (- and _); the chart wants standard base64 (+ and /)".into()
    } else if padding > 3 {
        "it ends with more than three '='".into()
    } else {
        format!("{:?} is not a base64 character", bad.unwrap_or(' '))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    #[test]
    fn accepts_the_chart_regex_and_names_the_usual_causes() {
        assert_eq!(base64_problem("LS0tLS1CRUdJTg=="), None);
        assert_eq!(base64_problem(""), None);
        assert!(base64_problem("LS0t\nLS0t").unwrap().contains("-w0"));
        assert!(base64_problem("LS0tLS0t\n").unwrap().contains("newline"));
        assert!(base64_problem("-----BEGIN CERTIFICATE-----").unwrap().contains("PEM"));
        assert!(base64_problem("ab-c_d").unwrap().contains("URL-safe"));
        assert!(base64_problem("abc====").is_some());
        assert!(base64_problem("a b").unwrap().contains("' '"));
        // Dropped characters and wrong padding (RFC 4648 §4), which the chart's pattern allows.
        assert_eq!(base64_problem("LS0tLS1CRUdJTiA="), None);
        assert!(base64_problem("LS0tLS1CRUdJTg").unwrap().contains("missing"));
        assert!(
            base64_problem("LS0tLS1CRUdJTg====")
                .unwrap()
                .contains("more than three")
        );
        assert!(base64_problem("LS0tLS1CRUdJTg=").unwrap().contains("does not match"));
        assert!(base64_problem("LS0tLS1CRUdJTiA==").unwrap().contains("does not match"));
        assert!(base64_problem("LS0tLS1CRUdJTiAx=").unwrap().contains("none belongs"));
        assert!(base64_problem("LS0tLS1CRUdJTiAxY").unwrap().contains("dropped"));
    }

    fn cg207() -> Base64Value {
        Base64Value {
            paths: vec!["tls.key".into(), "tls.cert".into(), "tls.cacert".into()],
        }
    }

    #[test]
    fn a_provided_value_that_is_not_one_line_of_base64_is_reported() {
        let unit = Unit::builder()
            .values("tls:\n  type: provided\n  cert: |\n    LS0tLS1C\n    RUdJTg==\n  cacert: LS0tLS1CRUdJTg==\n")
            .build();
        assert_eq!(
            hits(&cg207(), &unit),
            [
                "values.yaml:3:9 tls.cert: tls.cert is not one line of standard base64: it spans several lines, as GNU base64 wraps at 76 columns: encode with base64 -w0"
            ]
        );
    }

    #[test]
    fn one_line_values_pem_files_and_other_types_are_not_reported() {
        let one_line = Unit::builder()
            .values("tls:\n  type: provided\n  cert: LS0tLS1CRUdJTg==\n")
            .build();
        assert_eq!(hits(&cg207(), &one_line), Vec::<String>::new());
        // A PEM file is encoded by certgate itself, so it is base64 by construction.
        let files = Unit::builder()
            .provided("not a key\n", "not a certificate\n", "not a CA\n")
            .build();
        assert_eq!(hits(&cg207(), &files), Vec::<String>::new());
        // With tls.type=secret the chart never decodes tls.cert.
        let secret = Unit::builder()
            .values("tls:\n  type: secret\n  cert: \"not base64\"\n")
            .build();
        assert_eq!(hits(&cg207(), &secret), Vec::<String>::new());
    }
}
