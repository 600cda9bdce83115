//! Integration tests of hindsight-analysis against public fixtures.
//!
//! DevLake: Apache DevLake's DORA end-to-end fixtures (apache/incubator-devlake,
//! `backend/plugins/dora/e2e/`, Apache License 2.0), copied byte for byte into
//! `shared/corpora/devlake-dora/`; the rules and the compared columns are those of
//! `shared/corpora/README.md` §3.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hindsight_analysis::devlake::{
    chain_previous_successful, connect_incidents_to_deployments, generate_deployments,
    parse_devlake_date, read_csv, CsvTable, DeploymentCommit, DevlakeIncident, Pipeline,
    PipelineCommit, ProjectMapping, Task,
};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpora/devlake-dora/"
);
const PROJECT: &str = "project1";

fn table(relative: &str) -> CsvTable {
    let path = format!("{CORPUS}{relative}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    read_csv(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
}

/// The values of the named columns, keyed by the `id` column.
fn columns(table: &CsvTable, names: &[&str]) -> BTreeMap<String, Vec<String>> {
    let id = table.column("id").expect("id column");
    let idx: Vec<usize> = names
        .iter()
        .map(|n| table.column(n).expect("listed column"))
        .collect();
    table
        .rows
        .iter()
        .map(|row| {
            (
                row[id].clone(),
                idx.iter().map(|&i| row[i].clone()).collect(),
            )
        })
        .collect()
}

fn date(text: &str) -> Option<DateTime<Utc>> {
    parse_devlake_date(text).expect("fixture date")
}

#[test]
fn devlake_incident_to_deployment_matches_snapshot() {
    let dir = "connect_incident_to_deployment/";
    let mapping = ProjectMapping::from_csv(&table(&format!("{dir}raw_tables/project_mapping.csv")))
        .expect("mapping");
    let incidents = DevlakeIncident::from_csv(&table(&format!("{dir}raw_tables/incidents.csv")))
        .expect("incidents");
    let commits = DeploymentCommit::from_csv(&table(&format!(
        "{dir}prev_success_deployment_commit/cicd_deployment_commits_after.csv"
    )))
    .expect("deployment commits");
    assert_eq!(incidents.len(), 7);
    assert_eq!(commits.len(), 16);

    let actual = connect_incidents_to_deployments(PROJECT, &mapping, &incidents, &commits);

    let expected_table = table(&format!(
        "{dir}snapshot_tables/project_incident_deployment_relationships.csv"
    ));
    let expected: Vec<(String, String, String)> =
        columns(&expected_table, &["project_name", "deployment_id"])
            .into_iter()
            .map(|(id, v)| (id, v[0].clone(), v[1].clone()))
            .collect();
    assert_eq!(expected.len(), 6);
    assert_eq!(actual, expected);
    assert!(!actual
        .iter()
        .any(|(id, _, _)| id == "github:GithubIssue:1:1373792477"));
}

#[test]
fn devlake_prev_success_chain_matches_after_file() {
    let dir = "prev_success_deployment_commit/";
    let mapping =
        ProjectMapping::from_csv(&table(&format!("{dir}project_mapping.csv"))).expect("mapping");
    let before_table = table(&format!("{dir}cicd_deployment_commits_before.csv"));
    let before = DeploymentCommit::from_csv(&before_table).expect("before rows");
    assert_eq!(before.len(), 16);
    assert!(before
        .iter()
        .all(|r| r.prev_success_deployment_commit_id.is_none()));

    let chained = chain_previous_successful(PROJECT, &mapping, &before);

    let after_table = table(&format!("{dir}cicd_deployment_commits_after.csv"));
    let compared = [
        "result",
        "started_date",
        "finished_date",
        "cicd_deployment_id",
        "cicd_scope_id",
        "repo_url",
        "environment",
    ];
    let after = columns(&after_table, &compared);
    let after_prev = columns(&after_table, &["prev_success_deployment_commit_id"]);
    assert_eq!(after.len(), 16);
    assert_eq!(chained.len(), 16);

    // The chaining must not disturb the other compared columns: the input rows, read through
    // the same struct, agree with the expected file on all of them (dates as instants).
    let before_cols = columns(&before_table, &compared);
    for (id, expected_values) in &after {
        let input = &before_cols[id];
        for (k, name) in compared.iter().enumerate() {
            if name.ends_with("_date") {
                assert_eq!(date(&input[k]), date(&expected_values[k]), "{id} {name}");
            } else {
                assert_eq!(input[k], expected_values[k], "{id} {name}");
            }
        }
    }

    let actual: BTreeMap<String, Option<String>> = chained.into_iter().collect();
    let expected: BTreeMap<String, Option<String>> = after_prev
        .into_iter()
        .map(|(id, v)| (id, Some(v[0].clone()).filter(|s| !s.is_empty())))
        .collect();
    assert_eq!(actual, expected);
    assert_eq!(actual.values().filter(|v| v.is_some()).count(), 7);
}

#[test]
fn devlake_deployment_generator_matches_expected() {
    let dir = "deployment_generator/";
    let mapping =
        ProjectMapping::from_csv(&table(&format!("{dir}project_mapping.csv"))).expect("mapping");
    let pipelines =
        Pipeline::from_csv(&table(&format!("{dir}cicd_pipelines.csv"))).expect("pipelines");
    let pipeline_commits =
        PipelineCommit::from_csv(&table(&format!("{dir}cicd_pipeline_commits.csv")))
            .expect("pipeline commits");
    let tasks = Task::from_csv(&table(&format!("{dir}cicd_tasks.csv"))).expect("tasks");
    assert_eq!(pipelines.len(), 15);

    let generated = generate_deployments(PROJECT, &mapping, &pipelines, &pipeline_commits, &tasks);

    let expected_table = table(&format!("{dir}cicd_deployment_commits.csv"));
    let names = [
        "cicd_scope_id",
        "cicd_deployment_id",
        "result",
        "repo_url",
        "environment",
        "started_date",
        "finished_date",
    ];
    let expected = columns(&expected_table, &names);
    assert_eq!(expected.len(), 6);
    assert_eq!(generated.len(), 6);

    let actual: BTreeMap<String, _> = generated.iter().map(|g| (g.id.clone(), g)).collect();
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (id, v) in &expected {
        let g = actual[id];
        assert_eq!(g.cicd_scope_id, v[0], "{id} cicd_scope_id");
        assert_eq!(g.cicd_deployment_id, v[1], "{id} cicd_deployment_id");
        assert_eq!(g.result, v[2], "{id} result");
        assert_eq!(g.repo_url, v[3], "{id} repo_url");
        assert_eq!(g.environment, v[4], "{id} environment");
        assert_eq!(g.started_date, date(&v[5]), "{id} started_date");
        assert_eq!(g.finished_date, date(&v[6]), "{id} finished_date");
    }
}
