//! Generic CSV / JSON / regex files read through a TOML mapping, via the public API.

use std::path::PathBuf;

use hindsight_ingest::{parse_mapped, IngestError, Mapping, MappingError, Parsed};
use hindsight_model::{ChangeKind, DeployStatus, Record, Rejection};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/formats/mapped")
        .join(name)
}

fn mapping(name: &str) -> Mapping {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).expect("mapping fixture");
    Mapping::from_toml(&text, &path.display().to_string())
        .unwrap_or_else(|e| panic!("mapping loads: {e}"))
}

fn run(mapping: &Mapping, file: &str, bytes: &[u8]) -> (Vec<Record>, Vec<Rejection>) {
    let mut records = Vec::new();
    let mut rejections = Vec::new();
    parse_mapped(mapping, file, bytes, &mut |p| match p {
        Parsed::Record(r) => records.push(r),
        Parsed::Rejected(r) => rejections.push(r),
        Parsed::Skipped(s) => panic!("unexpected skipped record {s:?}"),
    })
    .expect("file parses");
    (records, rejections)
}

fn run_fixture(mapping_name: &str, data_name: &str) -> (Vec<Record>, Vec<Rejection>) {
    let bytes = std::fs::read(fixture(data_name)).expect("data fixture");
    run(&mapping(mapping_name), data_name, &bytes)
}

fn attr<'a>(
    attributes: &'a std::collections::BTreeMap<String, String>,
    key: &str,
) -> Option<&'a str> {
    attributes.get(key).map(String::as_str)
}

#[test]
fn inhouse_deploy_csv_with_a_column_mapping() {
    let (records, rejections) = run_fixture("shipit-deploys.toml", "shipit-deploys.csv");
    let deployments: Vec<_> = records
        .iter()
        .map(|r| match r {
            Record::Deployment(d) => d,
            other => panic!("not a deployment: {other:?}"),
        })
        .collect();
    assert_eq!(deployments.len(), 3);

    let first = deployments[0];
    assert_eq!(first.natural_key, "DEP-1001");
    assert_eq!(first.service, "checkout-service");
    assert_eq!(first.environment.as_deref(), Some("production"));
    assert_eq!(first.version.as_deref(), Some("v2.14.0"));
    assert_eq!(
        first.status,
        DeployStatus::Succeeded,
        "Result found by alias"
    );
    assert_eq!(first.actor.as_deref(), Some("alice"));
    assert_eq!(first.action, "deploy");
    assert_eq!(first.at.to_rfc3339(), "2026-11-16T09:58:12+00:00");
    assert_eq!(first.source.file, "shipit-deploys.csv");
    assert_eq!(first.source.location, "line 2");
    assert_eq!(attr(&first.attributes, "Pipeline"), Some("pl-881"));
    assert_eq!(attr(&first.attributes, "Notes"), Some("routine, no issues"));
    assert_eq!(attr(&first.attributes, "assumed_zone"), Some("UTC"));
    assert_eq!(
        attr(&first.attributes, "Result"),
        None,
        "mapped columns are consumed"
    );

    // A quoted field with a line break, a doubled quote and an explicit zone.
    let failed = deployments[1];
    assert_eq!(failed.natural_key, "DEP-1002");
    assert_eq!(failed.service, "checkout-service");
    assert_eq!(failed.status, DeployStatus::Failed);
    assert_eq!(failed.source.location, "line 3");
    assert_eq!(failed.at.to_rfc3339(), "2026-11-17T13:55:41+00:00");
    assert_eq!(
        attr(&failed.attributes, "Notes"),
        Some("health check failed:\r\n\"readiness probe\" timed out")
    );
    assert_eq!(attr(&failed.attributes, "assumed_zone"), None);

    let rollback = deployments[2];
    assert_eq!(rollback.natural_key, "DEP-1005");
    assert_eq!(rollback.service, "search");
    assert_eq!(rollback.status, DeployStatus::RolledBack);
    assert_eq!(rollback.source.location, "line 7");
    assert!(
        !rollback.attributes.contains_key("Notes"),
        "empty cells dropped"
    );

    assert_eq!(rejections.len(), 2);
    assert_eq!(rejections[0].location, "line 5");
    assert_eq!(rejections[0].field.as_deref(), Some("at"));
    assert!(
        rejections[0].reason.contains("17/11/2026 14:20"),
        "{:?}",
        rejections[0]
    );
    assert_eq!(rejections[1].location, "line 6");
    assert_eq!(rejections[1].field, None);
    assert_eq!(rejections[1].reason, "7 fields where the header has 9");
    assert!(rejections[1].raw.starts_with("DEP-1004,"));
}

#[test]
fn nested_json_incidents_with_pointers() {
    let (records, rejections) =
        run_fixture("statusboard-incidents.toml", "statusboard-incidents.json");
    let incidents: Vec<_> = records
        .iter()
        .map(|r| match r {
            Record::Incident(i) => i,
            other => panic!("not an incident: {other:?}"),
        })
        .collect();
    assert_eq!(incidents.len(), 3);
    assert!(incidents.iter().all(|i| i.source_system == "statusboard"));

    let resolved = incidents[0];
    assert_eq!(resolved.source_id, "SB-101");
    assert_eq!(resolved.number, None);
    assert_eq!(resolved.title, "Checkout errors after release");
    assert_eq!(resolved.status, "resolved");
    assert_eq!(resolved.severity.as_deref(), Some("SEV2"));
    assert_eq!(resolved.service.as_deref(), Some("checkout-service"));
    assert_eq!(
        resolved.started_at.to_rfc3339(),
        "2026-11-17T14:02:00+00:00"
    );
    assert_eq!(
        resolved.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-17T15:10:00+00:00")
    );
    assert_eq!(
        resolved.url.as_deref(),
        Some("https://status.example.com/incidents/SB-101")
    );
    assert_eq!(resolved.source.location, "/data/items/0");
    let kinds: Vec<_> = resolved.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["triggered", "resolved"]);

    // A zone-less time is read in the mapping's -05:00; a null end is no end.
    let open = incidents[1];
    assert_eq!(open.source_id, "SB-102");
    assert_eq!(open.status, "investigating");
    assert_eq!(open.started_at.to_rfc3339(), "2026-11-18T13:00:00+00:00");
    assert_eq!(open.resolved_at, None);
    assert_eq!(open.url, None);
    assert_eq!(open.events.len(), 1);

    // A numeric id, an epoch start, no status and an empty impact.
    let numeric = incidents[2];
    assert_eq!(numeric.source_id, "105");
    assert_eq!(numeric.number, Some(105));
    assert_eq!(numeric.started_at.to_rfc3339(), "2026-11-21T10:00:00+00:00");
    assert_eq!(
        numeric.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-22T09:30:00+00:00")
    );
    assert_eq!(numeric.status, "resolved");
    assert_eq!(numeric.severity, None);
    assert_eq!(numeric.source.location, "/data/items/4");

    assert_eq!(rejections.len(), 2);
    assert_eq!(rejections[0].location, "/data/items/2");
    assert_eq!(rejections[0].field.as_deref(), Some("started_at"));
    assert!(rejections[0].reason.contains("sometime on Tuesday"));
    assert_eq!(rejections[1].location, "/data/items/3");
    assert_eq!(rejections[1].field, None);
    assert!(
        rejections[1].reason.starts_with("a string"),
        "{:?}",
        rejections[1]
    );
}

#[test]
fn plain_text_deploy_log_with_a_regex() {
    let (records, rejections) = run_fixture("deploy-log.toml", "deploy.log");
    let deployments: Vec<_> = records
        .iter()
        .map(|r| match r {
            Record::Deployment(d) => d,
            other => panic!("not a deployment: {other:?}"),
        })
        .collect();
    assert_eq!(deployments.len(), 4);

    let first = deployments[0];
    assert_eq!(first.service, "checkout");
    assert_eq!(first.version.as_deref(), Some("v2.16.0"));
    assert_eq!(first.environment.as_deref(), Some("production"));
    assert_eq!(first.actor.as_deref(), Some("alice"), "group `who` mapped");
    assert_eq!(first.status, DeployStatus::Unknown);
    assert_eq!(first.at.to_rfc3339(), "2026-11-19T09:42:07+00:00");
    assert_eq!(attr(&first.attributes, "assumed_zone"), Some("+01:00"));
    assert_eq!(attr(&first.attributes, "who"), None);
    assert_eq!(
        first.natural_key,
        "checkout/production/2026-11-19T09:42:07+00:00/v2.16.0"
    );
    assert_eq!(first.source.location, "line 1");

    assert_eq!(deployments[1].actor.as_deref(), Some("deploy-bot"));
    let explicit = deployments[2];
    assert_eq!(explicit.service, "search");
    assert_eq!(explicit.environment.as_deref(), Some("production"));
    assert_eq!(explicit.at.to_rfc3339(), "2026-11-19T11:20:00+00:00");
    assert_eq!(explicit.source.location, "line 5");
    assert!(explicit.attributes.is_empty(), "{:?}", explicit.attributes);
    assert_eq!(deployments[3].source.location, "line 7");

    assert_eq!(rejections.len(), 2);
    assert_eq!(rejections[0].location, "line 3");
    assert_eq!(rejections[0].field, None);
    assert_eq!(rejections[0].reason, "does not match the pattern");
    assert_eq!(rejections[1].location, "line 6");
    assert_eq!(rejections[1].field.as_deref(), Some("at"));
}

#[test]
fn syslog_lines_take_the_year_of_the_reference_time() {
    let text = "record = \"deployment\"\nformat = \"regex\"\npattern = '^(?P<ts>\\w{3} +\\d+ [\\d:]+) (?P<app>\\S+): deployed (?P<release>\\S+)$'\n";
    let now = chrono::DateTime::parse_from_rfc3339("2027-01-03T00:00:00Z")
        .expect("now")
        .with_timezone(&chrono::Utc);
    let mapping = Mapping::from_toml(text, "syslog.toml")
        .expect("mapping")
        .with_reference_time(now);
    let (records, rejections) = run(
        &mapping,
        "syslog",
        b"Dec 31 23:10:00 checkout: deployed v9\nJan  2 08:00:00 checkout: deployed v10\n",
    );
    assert!(rejections.is_empty(), "{rejections:?}");
    let times: Vec<_> = records
        .iter()
        .map(|r| match r {
            Record::Deployment(d) => (d.at.to_rfc3339(), d.version.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        times,
        [
            (
                "2026-12-31T23:10:00+00:00".to_owned(),
                Some("v9".to_owned())
            ),
            (
                "2027-01-02T08:00:00+00:00".to_owned(),
                Some("v10".to_owned())
            )
        ]
    );
}

#[test]
fn change_records_from_csv_with_defaults() {
    let text = "record = \"change\"\nformat = \"csv\"\ndelimiter = \";\"\n[fields]\nid = \"Number\"\ntitle = \"Short description\"\nauthor = \"Requested by\"\ncommitted_at = \"Opened\"\n";
    let mapping = Mapping::from_toml(text, "changes.toml").expect("mapping");
    let csv = "Number;Short description;Requested by;Opened;Risk;Kind\nCHG0042;Rotate TLS certs;Dana Scully;2026-11-16 08:00:00;High;ticket\nCHG0043;Bad kind;Fox;2026-11-16 09:00:00;Low;epic\n;No number;Fox;;Low;\n";
    let (records, rejections) = run(&mapping, "changes.csv", csv.as_bytes());
    assert_eq!(records.len(), 1);
    let Record::Change(change) = &records[0] else {
        panic!("{:?}", records[0])
    };
    assert_eq!(change.natural_key, "CHG0042");
    assert_eq!(change.kind, ChangeKind::Ticket);
    assert_eq!(change.title, "Rotate TLS certs");
    assert_eq!(
        change.author.as_ref().map(|p| p.name.as_str()),
        Some("Dana Scully")
    );
    assert_eq!(
        change.committed_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-16T08:00:00+00:00")
    );
    assert_eq!(attr(&change.attributes, "Risk"), Some("High"));
    assert_eq!(attr(&change.attributes, "Kind"), None);
    assert_eq!(change.source.location, "line 2");
    assert_eq!(rejections.len(), 2);
    assert_eq!(rejections[0].field.as_deref(), Some("kind"));
    assert_eq!(rejections[1].field.as_deref(), Some("id"));
    assert_eq!(rejections[1].location, "line 4");
}

#[test]
fn mapping_errors_name_the_mapping_and_the_problem() {
    let err = Mapping::from_toml(
        "record = \"deployment\"\nformat = \"regex\"\npattern = '^(?P<ts>[a-z'\n",
        "bad.toml",
    )
    .expect_err("bad regex");
    assert!(matches!(err, MappingError::BadPattern { .. }), "{err:?}");
    assert!(err
        .to_string()
        .starts_with("bad.toml: `pattern` is not a valid regex"));

    let err = Mapping::from_toml("record = \"alert\"\nformat = \"csv\"\n", "m.toml")
        .expect_err("unknown record");
    assert_eq!(
        err,
        MappingError::UnknownRecord {
            origin: "m.toml".to_owned(),
            value: "alert".to_owned()
        }
    );
    let err = Mapping::from_toml("record = \"incident\"\nformat = \"regex\"\n", "m.toml")
        .expect_err("no pattern");
    assert!(
        matches!(err, MappingError::MissingPattern { .. }),
        "{err:?}"
    );
}

#[test]
fn broken_documents_fail_as_a_whole() {
    let json = mapping("statusboard-incidents.toml");
    let bytes = std::fs::read(fixture("statusboard-incidents.json")).expect("fixture");
    let half = bytes.get(..bytes.len() / 2).expect("half");
    let err = parse_mapped(&json, "sb.json", half, &mut |_| {}).expect_err("truncated");
    assert!(matches!(err, IngestError::Malformed { .. }), "{err:?}");

    let err = parse_mapped(
        &json,
        "sb.json",
        b"{\"data\": {\"items\": {}}}",
        &mut |_| {},
    )
    .expect_err("not an array");
    assert!(err.to_string().contains("not an array"), "{err}");

    let csv = mapping("shipit-deploys.toml");
    let err = parse_mapped(&csv, "other.csv", b"Ticket,When,App\n1,2,3\n", &mut |_| {})
        .expect_err("missing column");
    assert!(
        err.to_string().contains(
            "lacks the columns the mapping names: at = \"Deploy Time\", environment = \"Env\""
        ),
        "{err}"
    );
    let err = parse_mapped(&csv, "empty.csv", b"\xef\xbb\xbf\r\n", &mut |_| {}).expect_err("empty");
    assert!(err.to_string().contains("no header"), "{err}");
}
