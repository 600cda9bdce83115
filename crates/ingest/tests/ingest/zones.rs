//! Zone-less times in built-in formats: read in the configured zone and marked `assumed_zone`.

use std::collections::BTreeMap;

use hindsight_ingest::time::Zone;
use hindsight_ingest::{parse_with, Format, ParseOptions, Parsed};
use hindsight_model::Record;

fn berlin() -> ParseOptions {
    ParseOptions {
        zone: Zone::parse("Europe/Berlin").expect("zone"),
    }
}

/// Every record's first time (start, deployment time or commit time) and its attributes.
fn read(format: Format, file: &str, text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out = Vec::new();
    parse_with(
        format,
        file,
        text.as_bytes(),
        &berlin(),
        &mut |parsed| match parsed {
            Parsed::Record(Record::Incident(i)) => {
                out.push((i.started_at.to_rfc3339(), i.attributes))
            }
            Parsed::Record(Record::Deployment(d)) => out.push((d.at.to_rfc3339(), d.attributes)),
            Parsed::Record(Record::Change(c)) => out.push((
                c.authored_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                c.attributes,
            )),
            other => panic!("unexpected {other:?}"),
        },
    )
    .expect("parses");
    out
}

fn zone(attributes: &BTreeMap<String, String>) -> Option<&str> {
    attributes.get("assumed_zone").map(String::as_str)
}

#[test]
fn pagerduty_csv_times_without_a_zone() {
    let csv = "id,incident_number,description,service_id,service_name,created_on,resolved_on,urgency,status\n\
               Q1,1042,Checkout errors,PSVC001,Checkout API,2026-11-16 14:46:03,2026-11-16 16:09:58,high,resolved\n\
               Q2,1043,Search slow,PSVC002,Search,2026-11-16T14:46:03Z,,low,triggered\n";
    let out = read(Format::PagerDutyLogEntries, "incidents.csv", csv);
    assert_eq!(out[0].0, "2026-11-16T13:46:03+00:00");
    assert_eq!(zone(&out[0].1), Some("Europe/Berlin"));
    assert_eq!(out[1].0, "2026-11-16T14:46:03+00:00");
    assert_eq!(zone(&out[1].1), None);
}

#[test]
fn postmortem_timeline_without_a_stated_zone() {
    let md = "# Checkout outage\n\n## Timeline\n\n2026-07-14\n\n- 14:51 OUTAGE BEGINS checkout 500s\n- 15:20 ENDS\n";
    let out = read(Format::PostMortemMarkdown, "checkout.md", md);
    // Summer time in Berlin is UTC+2.
    assert_eq!(out[0].0, "2026-07-14T12:51:00+00:00");
    assert_eq!(zone(&out[0].1), Some("Europe/Berlin"));

    let stated =
        "# Checkout outage\n\n## Timeline (all times UTC)\n\n2026-07-14\n\n- 14:51 OUTAGE BEGINS\n";
    let out = read(Format::PostMortemMarkdown, "checkout.md", stated);
    assert_eq!(out[0].0, "2026-07-14T14:51:00+00:00");
    assert_eq!(zone(&out[0].1), None);
}

#[test]
fn servicenow_display_values_and_csv_but_not_stored_values() {
    let json = r#"{"result": [
      {"number": {"display_value": "CHG0030001", "value": "CHG0030001"},
       "sys_created_on": {"display_value": "2026-11-18 10:00:00", "value": "2026-11-18 09:00:00"},
       "start_date": {"display_value": "2026-11-18 11:00:00", "value": "2026-11-18 10:00:00"}},
      {"number": {"display_value": "CHG0030002"},
       "sys_created_on": {"display_value": "2026-11-18 10:00:00"},
       "start_date": {"display_value": "2026-11-18 11:00:00"}}
    ]}"#;
    let out = read(Format::ServiceNowChanges, "chg.json", json);
    assert_eq!(out[0].0, "2026-11-18T09:00:00+00:00");
    assert_eq!(zone(&out[0].1), None);
    assert_eq!(out[1].0, "2026-11-18T09:00:00+00:00");
    assert_eq!(zone(&out[1].1), Some("Europe/Berlin"));

    let csv = "number,short_description,sys_created_on,start_date\nCHG0030003,Patch,2026-11-18 10:00:00,2026-11-18 11:00:00\n";
    let out = read(Format::ServiceNowChanges, "chg.csv", csv);
    assert_eq!(out[0].0, "2026-11-18T09:00:00+00:00");
    assert_eq!(zone(&out[0].1), Some("Europe/Berlin"));
}

#[test]
fn deploy_log_times_without_a_zone() {
    let log = "ts=2026-11-18T09:00:00 service=checkout version=v2 status=success\n\
               ts=2026-11-18T09:00:00Z service=checkout version=v3 status=success\n";
    let out = read(Format::DeployLogfmt, "deploys.log", log);
    assert_eq!(out[0].0, "2026-11-18T08:00:00+00:00");
    assert_eq!(zone(&out[0].1), Some("Europe/Berlin"));
    assert_eq!(out[1].0, "2026-11-18T09:00:00+00:00");
    assert_eq!(zone(&out[1].1), None);
}
