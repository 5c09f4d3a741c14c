//! The copies in `fixtures/reference/` are the shared reference material, unchanged.

use std::path::Path;

#[test]
fn copies_match_the_shared_reference_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/reference");
    if !shared.is_dir() {
        // A clone outside the workplace has only the copies; nothing to compare against.
        return;
    }
    let mut compared = 0;
    for rel in [
        "vectors/k8s_label_values.json",
        "vectors/helm_strvals.json",
        "vectors/eventstreams_doc_commands.json",
        "vectors/eventstreams_chart_facts.json",
        "eventstreams-chart-1.4.0/Chart.yaml",
        "eventstreams-chart-1.4.0/values.yaml",
        "eventstreams-chart-1.4.0/LICENSE-Apache-2.0",
        "sarif-schema-2.1.0.json",
        "x509-limbo/limbo.json.gz",
        "x509-limbo/README.md",
    ] {
        let copy = std::fs::read(root.join("fixtures/reference").join(rel)).unwrap();
        let original = std::fs::read(shared.join(rel)).unwrap();
        assert!(
            copy == original,
            "fixtures/reference/{rel} differs from the shared reference"
        );
        compared += 1;
    }
    assert_eq!(compared, 10);
}
