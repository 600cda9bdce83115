//! Every format that states when its tool last changed a record hands that time on, so that a
//! re-ingest of an older export never overwrites a newer one.

use chrono::{DateTime, Utc};
use hindsight_ingest::time::parse_timestamp;
use hindsight_ingest::{detect, parse, Parsed};
use hindsight_model::Record;
use serde_json::Value;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (location, updated_at) of every record of a fixture.
fn records(path: &str) -> Vec<(String, Option<DateTime<Utc>>)> {
    let bytes = std::fs::read(root().join(path)).expect("fixture");
    let format = detect(&bytes).expect("detected");
    let mut out = Vec::new();
    parse(format, path, &bytes, &mut |p| match p {
        Parsed::Record(Record::Incident(i)) => out.push((i.source.location, i.updated_at)),
        Parsed::Record(Record::Change(c)) => out.push((c.source.location, c.updated_at)),
        Parsed::Record(Record::Deployment(d)) => out.push((d.source.location, d.updated_at)),
        _ => {}
    })
    .expect("parses");
    out
}

/// The time at `field` (a JSON pointer) of the item each record came from.
fn stated(path: &str, location: &str, field: &str) -> Option<DateTime<Utc>> {
    let text = std::fs::read_to_string(root().join(path)).expect("fixture");
    let document: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).expect("json");
    let value = document.pointer(location)?.pointer(field)?;
    let text = value.as_str().or_else(|| value["value"].as_str())?;
    parse_timestamp(text)
}

#[test]
fn records_carry_their_tools_last_update() {
    for (path, field) in [
        ("fixtures/formats/statuspage/incidents.json", "/updated_at"),
        ("fixtures/formats/incidentio/incidents.json", "/updated_at"),
        ("fixtures/formats/opsgenie/incidents.json", "/updatedAt"),
        ("fixtures/formats/github-pulls/pulls.json", "/updated_at"),
        ("fixtures/formats/jira/search.json", "/fields/updated"),
        (
            "fixtures/formats/servicenow/change_request.json",
            "/sys_updated_on",
        ),
        (
            "fixtures/formats/gitlab-deployments/deployments.json",
            "/updated_at",
        ),
    ] {
        let records = records(path);
        let dated = records.iter().filter(|(_, at)| at.is_some()).count();
        assert!(dated > 0, "{path}: no record carries updated_at");
        for (location, updated_at) in records {
            assert_eq!(
                updated_at,
                stated(path, &location, field),
                "{path} {location}"
            );
        }
    }
}
