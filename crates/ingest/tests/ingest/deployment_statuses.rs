//! GitHub deployment statuses in a file of their own.

use hindsight_ingest::{detect, parse, Format, Parsed};
use hindsight_model::{DeployStatus, Record};

fn read(path: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path),
    )
    .expect("fixture")
}

#[test]
fn the_statuses_fixture_is_detected_and_keyed_by_deployment() {
    let bytes = read("fixtures/formats/github_deployment_statuses/statuses.json");
    assert_eq!(detect(&bytes), Some(Format::GithubDeploymentStatuses));
    let late = read("fixtures/formats/github_deployment_statuses/late-deployment.json");
    assert_eq!(detect(&late), Some(Format::GithubDeployments));
    // Deployments with embedded statuses stay deployments.
    let embedded = read("fixtures/formats/github-deployments/deployments.json");
    assert_eq!(detect(&embedded), Some(Format::GithubDeployments));

    let mut statuses = Vec::new();
    parse(
        Format::GithubDeploymentStatuses,
        "statuses.json",
        &bytes,
        &mut |p| match p {
            Parsed::Record(Record::DeploymentStatus(s)) => statuses.push(s),
            other => panic!("unexpected {other:?}"),
        },
    )
    .expect("parses");
    assert_eq!(statuses.len(), 5);
    let keys: Vec<&str> = statuses.iter().map(|s| s.deployment_key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "github:acme-shop/platform:deployment:1843391277",
            "github:acme-shop/platform:deployment:1843391277",
            "github:acme-shop/platform:deployment:1843391277",
            "github:acme-shop/checkout:deployment:1843412345",
            "github:acme-shop/checkout:deployment:1843412345",
        ]
    );
    assert_eq!(statuses[0].status, DeployStatus::Succeeded);
    assert_eq!(statuses[0].at.to_rfc3339(), "2026-11-17T15:36:12+00:00");
    assert_eq!(statuses[0].actor.as_deref(), Some("github-actions[bot]"));
    assert_eq!(statuses[3].status, DeployStatus::Failed);
    assert_eq!(
        statuses[3].description.as_deref(),
        Some("Health checks failed after rollout")
    );
    assert_eq!(statuses[3].source.location, "/3");
}
