//! The approved command carries out exactly the checked change: for generated labels, key paths and
//! values, parsing the printed command back (shell words, then Helm's --set rules) gives exactly the
//! effective values certgate checked.

use certgate::engine::approved_command;
use certgate::helm::command::parse_command;
use certgate::helm::strvals::HelmVersion;
use certgate::load::{Context, UnitSpec, load_unit};
use certgate::model::render::rendered;
use certgate::model::unit::{COMMAND_ORDER, Given};
use certgate::model::value::Node;
use certgate::report::Location;
use certgate::source::SourceMap;
use proptest::prelude::*;

fn given(v: &str) -> Given<String> {
    Given {
        value: v.to_string(),
        location: Location::Run,
    }
}

/// Escape a value for the `--set-string` argument that gives it to certgate.
fn escape(v: &str) -> String {
    certgate::helm::command::escape_set_value(v).expect("generated values hold no NUL")
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn printed_command_parses_back_to_the_checked_values(
        picks in proptest::collection::btree_map(0usize..COMMAND_ORDER.len(), value(), 1..5),
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
        let back = Node::new(certgate::model::value::Value::Map(parsed.values.clone()), certgate::model::value::Origin::Synthetic);
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
