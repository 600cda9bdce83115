//! The service catalog (Backstage) and Apache DevLake's domain tables.

use std::path::PathBuf;

use hindsight_ingest::{detect, parse, Format, Parsed};
use hindsight_model::{CatalogEntity, DeployStatus, Deployment, Incident, Record, Rejection};

#[derive(Default)]
struct Out {
    entities: Vec<CatalogEntity>,
    deployments: Vec<Deployment>,
    incidents: Vec<Incident>,
    rejections: Vec<Rejection>,
    skipped: Vec<Rejection>,
}

fn load(path: &PathBuf) -> (Format, Out) {
    let bytes = std::fs::read(path).expect("read");
    let format = detect(bytes.get(..64 * 1024).unwrap_or(&bytes)).expect("detected");
    let mut out = Out::default();
    parse(
        format,
        &path.display().to_string(),
        &bytes,
        &mut |p| match p {
            Parsed::Record(Record::CatalogEntity(e)) => out.entities.push(e),
            Parsed::Record(Record::Deployment(d)) => out.deployments.push(d),
            Parsed::Record(Record::Incident(i)) => out.incidents.push(i),
            Parsed::Record(other) => panic!("unexpected {other:?}"),
            Parsed::Rejected(r) => out.rejections.push(r),
            Parsed::Skipped(r) => out.skipped.push(r),
        },
    )
    .expect("parses");
    (format, out)
}

fn corpus(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/devlake-dora")
        .join(relative)
}

fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/formats")
        .join(relative)
}

#[test]
fn backstage_catalog_is_detected_and_read() {
    let (format, out) = load(&fixture("backstage/catalog-info.yaml"));
    assert_eq!(format, Format::BackstageCatalog);
    assert_eq!(out.entities.len(), 5);
    assert_eq!(out.rejections.len(), 2);
    let orders = out
        .entities
        .iter()
        .find(|e| e.name == "orders-db")
        .expect("orders-db");
    assert_eq!(orders.kind, "resource");
    assert_eq!(orders.system.as_deref(), Some("commerce"));
}

#[test]
fn devlake_deployment_commits_load_with_their_fields() {
    for file in [
        "prev_success_deployment_commit/cicd_deployment_commits_before.csv",
        "prev_success_deployment_commit/cicd_deployment_commits_after.csv",
        "connect_incident_to_deployment/prev_success_deployment_commit/cicd_deployment_commits_after.csv",
    ] {
        let (format, out) = load(&corpus(file));
        assert_eq!(format, Format::DevlakeDeploymentCommits, "{file}");
        assert!(out.rejections.is_empty(), "{file}: {:?}", out.rejections);
        assert_eq!(out.deployments.len(), 16, "{file}");
    }
    let (_, out) = load(&corpus(
        "prev_success_deployment_commit/cicd_deployment_commits_before.csv",
    ));
    let eleven = &out.deployments[10];
    assert_eq!(eleven.natural_key, "devlake:11");
    assert_eq!(eleven.service, "cicd2");
    assert_eq!(eleven.sha.as_deref(), Some("11"));
    assert_eq!(eleven.status, DeployStatus::Failed);
    assert_eq!(eleven.environment.as_deref(), Some("PRODUCTION"));
    assert_eq!(eleven.at.to_rfc3339(), "2022-09-22T06:51:47+00:00");
    assert_eq!(eleven.attributes["cicd_deployment_id"], "pipeline7");
    assert_eq!(eleven.attributes["repo_url"], "REPO111");
    assert_eq!(
        eleven.attributes["_raw_data_remark"],
        "failed record should be ignored"
    );
    assert_eq!(eleven.source.location, "line 12");
    let sixteen = &out.deployments[15];
    assert_eq!(sixteen.environment, None);
    assert_eq!(sixteen.service, "cicd3");

    let (_, after) = load(&corpus(
        "prev_success_deployment_commit/cicd_deployment_commits_after.csv",
    ));
    let ten = after
        .deployments
        .iter()
        .find(|d| d.natural_key == "devlake:10")
        .expect("row 10");
    assert_eq!(ten.attributes["prev_success_deployment_commit_id"], "6");
}

#[test]
fn devlake_generated_deployments_skip_the_one_undated_row_and_reject_nothing() {
    let (format, out) = load(&corpus("deployment_generator/cicd_deployment_commits.csv"));
    assert_eq!(format, Format::DevlakeDeploymentCommits);
    assert_eq!(out.deployments.len(), 5);
    // The first row's pipeline never ran: no started_date or finished_date, so nothing was
    // deployed. It is kept as skipped with its reason, not rejected.
    assert!(out.rejections.is_empty(), "{:?}", out.rejections);
    assert_eq!(out.skipped.len(), 1);
    assert_eq!(out.skipped[0].location, "line 2");
    assert_eq!(out.skipped[0].field.as_deref(), Some("finished_date"));
    assert!(
        out.skipped[0].reason.contains("never ran"),
        "{}",
        out.skipped[0].reason
    );
    let last = &out.deployments[4];
    assert_eq!(
        last.natural_key,
        "devlake:gitlab:GitlabPipeline:1:485932863:https://gitlab.com/gitlab-data/snowflake_spend"
    );
    assert_eq!(
        last.sha.as_deref(),
        Some("12fc3a42080bb98ca520817bd4fe0ca33c0bb279")
    );
    assert_eq!(last.status, DeployStatus::Succeeded);
    assert_eq!(last.at.to_rfc3339(), "2022-03-07T09:41:36.267+00:00");
    assert_eq!(last.service, "cicd1");
}

#[test]
fn devlake_incidents_and_project_mapping_load() {
    let (format, out) = load(&corpus(
        "connect_incident_to_deployment/raw_tables/incidents.csv",
    ));
    assert_eq!(format, Format::DevlakeIncidents);
    assert!(out.rejections.is_empty(), "{:?}", out.rejections);
    assert_eq!(out.incidents.len(), 7);
    let first = &out.incidents[0];
    assert_eq!(first.source_system, "devlake");
    assert_eq!(first.source_id, "github:GithubIssue:1:1367714738");
    assert_eq!(first.started_at.to_rfc3339(), "2022-11-13T23:37:21+00:00");
    assert_eq!(first.service.as_deref(), Some("repo1"));
    assert_eq!(first.status, "unknown");
    assert_eq!(out.incidents[6].service.as_deref(), Some("board1"));

    for file in [
        "connect_incident_to_deployment/raw_tables/project_mapping.csv",
        "prev_success_deployment_commit/project_mapping.csv",
        "deployment_generator/project_mapping.csv",
    ] {
        let (format, out) = load(&corpus(file));
        assert_eq!(format, Format::DevlakeProjectMapping);
        assert!(out.rejections.is_empty());
        let names: Vec<&str> = out.entities.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["project1", "project2"]);
        let aliases: Vec<(&str, &str)> = out.entities[0]
            .aliases
            .iter()
            .map(|a| (a.alias.as_str(), a.origin.as_str()))
            .collect();
        assert_eq!(
            aliases,
            vec![
                ("board1", "project_mapping.boards"),
                ("board2", "project_mapping.boards"),
                ("cicd1", "project_mapping.cicd_scopes"),
                ("cicd2", "project_mapping.cicd_scopes"),
                ("project1", "project_name"),
                ("repo1", "project_mapping.repos"),
                ("repo2", "project_mapping.repos"),
            ]
        );
        assert_eq!(out.entities[1].entity_ref, "project:devlake/project2");
    }
}

#[test]
fn devlake_incidents_with_every_domain_column() {
    let (format, out) = load(&fixture("devlake/incidents.csv"));
    assert_eq!(format, Format::DevlakeIncidents);
    assert!(out.rejections.is_empty(), "{:?}", out.rejections);
    let [card, db] = &out.incidents[..] else {
        panic!("two incidents expected, got {}", out.incidents.len())
    };
    assert_eq!(
        card.title,
        "Card payments failing, \"timeout\" from acquirer"
    );
    assert_eq!(card.number, Some(41));
    assert_eq!(card.status, "done");
    assert_eq!(card.severity.as_deref(), Some("P1"));
    assert_eq!(
        card.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-18T11:20:00+00:00")
    );
    assert_eq!(
        card.url.as_deref(),
        Some("https://github.com/acme/payments-service/issues/41")
    );
    assert_eq!(card.service.as_deref(), Some("github:githubrepo:1:7001"));
    assert_eq!(card.source.location, "line 2");
    assert_eq!(db.source.location, "line 4");
    assert_eq!(db.severity.as_deref(), Some("high"));
    assert_eq!(db.resolved_at, None);
    assert_eq!(db.status, "in_progress");
}
