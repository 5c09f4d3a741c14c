//! The approved command carries out exactly the checked change: for generated labels, key paths and
//! values, parsing the printed command back (shell words, then Helm's --set rules) gives exactly the
//! effective values certgate checked.

use certgate::engine::approved_command;
use certgate::helm::argv::parse_command;
use certgate::helm::render::rendered;
use certgate::helm::strvals::HelmVersion;
use certgate::load::{Context, UnitSpec, load_unit};
use certgate::model::unit::{COMMAND_ORDER, Given};
use certgate::source::Location;
use certgate::source::SourceMap;
use certgate::source::value::Node;
use proptest::prelude::*;

fn given(v: &str) -> Given<String> {
    Given {
        value: v.to_string(),
        location: Location::Run,
    }
}

/// Escape a value for the `--set-string` argument that gives it to certgate.
fn escape(v: &str) -> String {
    certgate::helm::strvals::escape_value(v)
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,20}[a-z0-9]",
        "[0-9]{1,6}",
        Just("true".to_string()),
        Just("null".to_string()),
        "[ -~]{0,24}",
        "[a-zA-Z0-9+/]{4,40}={0,2}",
    ]
}

/// Where tls.key is in the command's order.
const TLS_KEY: usize = 4;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// tls.key given on the command line reaches the command only as the name of the Secret's key
    /// (tls.type=secret); anything else may be a private key, and no command is formed with it.
    #[test]
    fn tls_key_is_on_the_command_line_only_as_a_key_name(v in value(), secret in any::<bool>()) {
        prop_assert_eq!(COMMAND_ORDER[TLS_KEY], "tls.key");
        let mut set_string = vec![given(&format!("tls.key={}", escape(&v)))];
        if secret {
            set_string.push(given("tls.type=secret"));
        }
        let spec = UnitSpec {
            release: Some(given("eventstreams1")),
            helm: Some(HelmVersion::V3),
            namespace: Some("es".into()),
            set_string,
            ..UnitSpec::default()
        };
        let mut loaded = load_unit(&spec, &Context::at_unix(1_795_737_600), &SourceMap::new());
        loaded.unit.chart_path = Some("ibm-eventstreams-prod-1.4.0.tgz".into());
        let key_name = !v.is_empty() && v.len() <= 253 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        match approved_command(&loaded.unit) {
            Ok(Some(command)) => {
                prop_assert!(secret && key_name, "{v:?} carried in {command}");
                let parsed = parse_command(&command, HelmVersion::V3).expect("valid shell");
                let back = Node::new(certgate::source::value::Value::Map(parsed.values.clone()), certgate::source::value::Origin::Synthetic);
                prop_assert_eq!(back.lookup("tls.key").and_then(Node::as_str), Some(v.as_str()));
            }
            Ok(None) => prop_assert!(false, "something changes"),
            Err(why) => prop_assert!(!(secret && key_name), "{v:?} refused: {why}"),
        }
    }

    #[test]
    fn printed_command_parses_back_to_the_checked_values(
        // Every path but tls.key, which the command never carries unless it names the Secret's key
        // (the next property).
        picks in proptest::collection::btree_map(prop_oneof![0usize..TLS_KEY, TLS_KEY + 1..COMMAND_ORDER.len()], value(), 1..5),
        helm3 in any::<bool>(),
    ) {
        let helm = if helm3 { HelmVersion::V3 } else { HelmVersion::V2 };
        let set_string: Vec<Given<String>> = picks
            .iter()
            .map(|(i, v)| given(&format!("{}={}", COMMAND_ORDER[*i], escape(v))))
            .collect();
        let spec = UnitSpec {
            release: Some(given("eventstreams1")),
            chart: None,
            helm: Some(helm),
            namespace: Some("es".into()),
            set_string,
            ..UnitSpec::default()
        };
        let mut loaded = load_unit(&spec, &Context::at_unix(1_795_737_600), &SourceMap::new());
        prop_assert!(loaded.unit.problems.is_empty(), "{:?}", loaded.unit.problems);
        loaded.unit.chart_path = Some("ibm-eventstreams-prod-1.4.0.tgz".into());
        let command = approved_command(&loaded.unit).expect("a command").expect("something changes");
        let parsed = parse_command(&command, helm).expect("the command is valid shell");
        prop_assert!(parsed.set_errors.is_empty());
        prop_assert_eq!(parsed.release(), Some("eventstreams1"));
        let back = Node::new(certgate::source::value::Value::Map(parsed.values.clone()), certgate::source::value::Origin::Synthetic);
        for (i, v) in &picks {
            let path = COMMAND_ORDER[*i];
            let got = back.lookup(path).and_then(|n| rendered(n, helm));
            let checked = loaded.unit.effective.lookup(path).and_then(|n| rendered(n, helm));
            prop_assert_eq!(&got, &checked, "{} in {}", path, command);
            prop_assert_eq!(got.as_deref(), Some(v.as_str()));
            // The value stays a string: --set-string where --set would type it.
            prop_assert!(back.lookup(path).and_then(Node::as_str).is_some(), "{} typed in {}", path, command);
        }
    }
}
