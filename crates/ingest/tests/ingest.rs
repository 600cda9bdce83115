//! Parsers against fixtures and the shared corpora.
#[path = "ingest/catalog_formats.rs"]
mod catalog_formats;
#[path = "ingest/change_formats.rs"]
mod change_formats;
#[path = "ingest/deployment_statuses.rs"]
mod deployment_statuses;
#[path = "ingest/incident_formats.rs"]
mod incident_formats;
#[path = "ingest/mapped_formats.rs"]
mod mapped_formats;
#[path = "ingest/updated_at.rs"]
mod updated_at;
#[path = "ingest/zones.rs"]
mod zones;

// --- statuspage / incident.io ---

mod statuspage_incidentio {
    use std::collections::HashSet;
    use std::path::PathBuf;

    use hindsight_ingest::{detect, parse, Format, IngestError, Parsed};
    use hindsight_model::{Incident, Record, Rejection};

    fn repo_path(relative: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(relative)
    }

    fn github_status_corpus() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpora/github-status/incidents.json")
    }

    fn head(bytes: &[u8]) -> &[u8] {
        bytes.get(..64 * 1024).unwrap_or(bytes)
    }

    fn parse_incidents(
        format: Format,
        file: &str,
        bytes: &[u8],
    ) -> (Vec<Incident>, Vec<Rejection>) {
        let mut incidents = Vec::new();
        let mut rejections = Vec::new();
        parse(format, file, bytes, &mut |p| match p {
            Parsed::Record(Record::Incident(i)) => incidents.push(i),
            Parsed::Record(other) => panic!("unexpected record {other:?}"),
            Parsed::Rejected(r) => rejections.push(r),
            Parsed::Skipped(s) => panic!("unexpected skipped record {s:?}"),
        })
        .expect("document parses");
        (incidents, rejections)
    }

    #[test]
    fn statuspage_fixture_through_the_public_api() {
        let bytes = std::fs::read(repo_path("fixtures/formats/statuspage/incidents.json"))
            .expect("statuspage fixture");
        assert_eq!(detect(head(&bytes)), Some(Format::StatuspageIncidents));
        let (incidents, rejections) =
            parse_incidents(Format::StatuspageIncidents, "statuspage.json", &bytes);
        assert_eq!(incidents.len(), 4);
        assert_eq!(rejections.len(), 3);
        let resolved = incidents
            .iter()
            .find(|i| i.source_id == "r3s0lv3d0001")
            .expect("resolved incident");
        assert_eq!(resolved.status, "resolved");
        assert!(resolved.resolved_at.is_some());
        assert_eq!(
            resolved.events.last().map(|e| e.kind.as_str()),
            Some("resolved")
        );
        assert!(incidents
            .iter()
            .filter(|i| i.status != "resolved")
            .all(|i| i.resolved_at.is_none()));
    }

    #[test]
    fn incidentio_fixture_through_the_public_api() {
        let bytes = std::fs::read(repo_path("fixtures/formats/incidentio/incidents.json"))
            .expect("incident.io fixture");
        assert_eq!(detect(head(&bytes)), Some(Format::IncidentIoIncidents));
        let (incidents, rejections) =
            parse_incidents(Format::IncidentIoIncidents, "incidentio.json", &bytes);
        let ids: Vec<_> = incidents.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            ids,
            [
                "INC-123: Our database is sad",
                "INC-124: Checkout latency spike in eu-west-1"
            ]
        );
        assert_eq!(rejections.len(), 1);
        assert_eq!(incidents[0].service.as_deref(), Some("checkout-api"));
        assert!(incidents[0].resolved_at.is_some());
        assert_eq!(incidents[1].resolved_at, None);
        assert_eq!(incidents[1].status, "live");
    }

    #[test]
    fn github_status_corpus_is_parsed_whole() {
        let path = github_status_corpus();
        let bytes = std::fs::read(&path).expect("github-status corpus (../shared/corpora)");
        assert_eq!(detect(head(&bytes)), Some(Format::StatuspageIncidents));
        let (incidents, rejections) =
            parse_incidents(Format::StatuspageIncidents, "incidents.json", &bytes);
        assert_eq!(incidents.len(), 760);
        assert!(rejections.is_empty(), "{:?}", rejections.first());
        let events: usize = incidents.iter().map(|i| i.events.len()).sum();
        assert_eq!(events, 3_000);
        let ids: HashSet<_> = incidents.iter().map(|i| i.source_id.as_str()).collect();
        assert_eq!(ids.len(), 760);

        let longest = incidents
            .iter()
            .find(|i| i.source_id == "zkxwbgr0cnmx")
            .expect("zkxwbgr0cnmx");
        assert_eq!(longest.events.len(), 35);
        assert!(longest.events.windows(2).all(|w| w[0].at <= w[1].at));
        let monitoring = incidents
            .iter()
            .find(|i| i.source_id == "bmpybhnrky3x")
            .expect("bmpybhnrky3x");
        assert_eq!(monitoring.status, "monitoring");

        // The feed never shows a resolution: no end time may be invented.
        assert!(incidents.iter().all(|i| i.resolved_at.is_none()));
        assert_eq!(
            incidents.iter().filter(|i| i.service.is_some()).count(),
            582
        );
        assert!(incidents.iter().all(|i| i.source_system == "statuspage"));
        assert!(incidents.iter().all(|i| i
            .events
            .iter()
            .all(|e| e.source.location.starts_with(&i.source.location))));
    }

    #[test]
    fn truncated_github_status_corpus_is_malformed() {
        let bytes = std::fs::read(github_status_corpus()).expect("github-status corpus");
        let half = bytes.get(..bytes.len() / 2).expect("half");
        let err = parse(
            Format::StatuspageIncidents,
            "incidents.json",
            half,
            &mut |_| {},
        )
        .expect_err("truncated JSON must fail");
        let IngestError::Malformed { file, line, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(file, "incidents.json");
        assert!(*line > 1, "{err}");
        assert_eq!(*line, half.iter().filter(|b| **b == b'\n').count() + 1);
    }
}

// --- GitHub / GitLab deployments ---

mod github_gitlab_deployments {
    use std::path::PathBuf;

    use hindsight_ingest::{detect, parse, Format, IngestError, Parsed};
    use hindsight_model::{DeployStatus, Deployment, Record, Rejection};

    fn read(relative: &str) -> Vec<u8> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(relative);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn head(bytes: &[u8]) -> &[u8] {
        bytes.get(..64 * 1024).unwrap_or(bytes)
    }

    fn parse_all(format: Format, file: &str, bytes: &[u8]) -> (Vec<Deployment>, Vec<Rejection>) {
        let mut deployments = Vec::new();
        let mut rejections = Vec::new();
        parse(format, file, bytes, &mut |p| match p {
            Parsed::Record(Record::Deployment(d)) => deployments.push(d),
            // Statuses embedded in GitHub deployments are handed on as statuses too.
            Parsed::Record(Record::DeploymentStatus(s)) => {
                assert!(
                    deployments
                        .iter()
                        .any(|d| d.natural_key == s.deployment_key),
                    "a status follows its deployment: {s:?}"
                );
            }
            Parsed::Record(other) => panic!("unexpected record {other:?}"),
            Parsed::Rejected(r) => rejections.push(r),
            Parsed::Skipped(s) => panic!("unexpected skipped record {s:?}"),
        })
        .expect("document parses");
        (deployments, rejections)
    }

    fn find<'a>(deployments: &'a [Deployment], key: &str) -> &'a Deployment {
        deployments
            .iter()
            .find(|d| d.natural_key == key)
            .unwrap_or_else(|| panic!("no deployment {key}"))
    }

    /// A copy cut in the middle of a line fails as a whole, naming the line it stopped on.
    fn assert_truncation_is_malformed(format: Format, file: &str, bytes: &[u8]) {
        let cut = bytes.get(..bytes.len() / 2).expect("half");
        let mut records = 0;
        let err = parse(format, file, cut, &mut |_| records += 1).expect_err("truncated JSON");
        let IngestError::Malformed {
            file: named, line, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(named, file);
        assert!(*line > 1, "{err}");
        assert_eq!(*line, cut.iter().filter(|b| **b == b'\n').count() + 1);
        assert_eq!(records, 0, "nothing is emitted from a malformed file");
    }

    #[test]
    fn github_fixture_through_the_public_api() {
        let bytes = read("fixtures/formats/github-deployments/deployments.json");
        assert_eq!(detect(head(&bytes)), Some(Format::GithubDeployments));
        let (deployments, rejections) =
            parse_all(Format::GithubDeployments, "deployments.json", &bytes);
        assert_eq!(deployments.len(), 5);
        assert_eq!(rejections.len(), 1);
        assert_eq!(rejections[0].location, "/4");
        assert_eq!(rejections[0].field.as_deref(), Some("sha"));

        // Superseded by the next release: succeeded, dated by its success, not its retirement.
        let first = find(
            &deployments,
            "github:acme-shop/checkout:deployment:1843201901",
        );
        assert_eq!(first.status, DeployStatus::Succeeded);
        assert_eq!(first.at.to_rfc3339(), "2026-11-16T09:19:48+00:00");
        assert_eq!(first.actor_type.as_deref(), Some("human"));
        assert_eq!(first.environment.as_deref(), Some("production"));
        assert_eq!(first.version.as_deref(), Some("v2.14.0"));
        assert_eq!(first.source.location, "/0");

        let failed = find(
            &deployments,
            "github:acme-shop/checkout:deployment:1843377702",
        );
        assert_eq!(failed.status, DeployStatus::Failed);
        assert_eq!(failed.actor.as_deref(), Some("github-actions[bot]"));
        assert_eq!(failed.actor_type.as_deref(), Some("automation"));
        assert_eq!(failed.at.to_rfc3339(), "2026-11-17T13:55:41+00:00");
        assert_eq!(
            failed.sha.as_deref(),
            Some("7f3c0d8e54a1b2c3d4e5f60718293a4b5c6d7e8f")
        );
        let attr = |k: &str| failed.attributes.get(k).map(String::as_str);
        assert_eq!(attr("github_id"), Some("1843377702"));
        assert_eq!(attr("statuses_count"), Some("2"));
        assert_eq!(attr("production_environment"), Some("true"));
        assert_eq!(attr("description"), Some("Deploy v2.15.0 from workflow"));

        let rollback = find(
            &deployments,
            "github:acme-shop/checkout:deployment:1843380114",
        );
        assert_eq!(rollback.action, "rollback");
        assert_eq!(rollback.environment.as_deref(), Some("production"));

        let unreported = find(
            &deployments,
            "github:acme-shop/platform:deployment:1843391277",
        );
        assert_eq!(unreported.service, "payments");
        assert_eq!(unreported.status, DeployStatus::Unknown);
        assert_eq!(unreported.at.to_rfc3339(), "2026-11-17T15:30:00+00:00");

        let running = find(
            &deployments,
            "github:acme-shop/platform:deployment:1843395550",
        );
        assert_eq!(running.service, "search");
        assert_eq!(running.status, DeployStatus::InProgress);
        assert_eq!(running.at.to_rfc3339(), "2026-11-17T16:01:00+00:00");

        assert!(deployments
            .iter()
            .filter(|d| !d.natural_key.contains("platform"))
            .all(|d| d.service == "checkout"));
    }

    #[test]
    fn gitlab_fixture_through_the_public_api() {
        let bytes = read("fixtures/formats/gitlab-deployments/deployments.json");
        assert_eq!(detect(head(&bytes)), Some(Format::GitlabDeployments));
        let (deployments, rejections) =
            parse_all(Format::GitlabDeployments, "deployments.json", &bytes);
        assert_eq!(deployments.len(), 4);
        assert_eq!(rejections.len(), 1);
        assert_eq!(rejections[0].location, "/4");
        assert_eq!(rejections[0].field.as_deref(), Some("sha"));
        assert!(deployments.iter().all(|d| d.service == "inventory"));

        let ok = find(&deployments, "gitlab:deployment:5512");
        assert_eq!(ok.status, DeployStatus::Succeeded);
        assert_eq!(ok.at.to_rfc3339(), "2026-11-16T11:04:12.775+00:00");
        assert_eq!(ok.actor.as_deref(), Some("dwhitfield"));
        assert_eq!(ok.actor_type.as_deref(), Some("human"));
        assert_eq!(ok.version.as_deref(), Some("v3.8.0"));
        let attr = |k: &str| ok.attributes.get(k).map(String::as_str);
        assert_eq!(attr("gitlab_id"), Some("5512"));
        assert_eq!(attr("iid"), Some("61"));
        assert_eq!(attr("deployable_name"), Some("deploy:production"));
        assert_eq!(attr("pipeline_id"), Some("8311"));
        assert_eq!(attr("started_at"), Some("2026-11-16T11:00:40.010+00:00"));

        let failed = find(&deployments, "gitlab:deployment:5530");
        assert_eq!(failed.status, DeployStatus::Failed);
        assert_eq!(failed.environment.as_deref(), Some("production"));
        assert_eq!(failed.actor_type.as_deref(), Some("automation"));

        let running = find(&deployments, "gitlab:deployment:5534");
        assert_eq!(running.status, DeployStatus::InProgress);
        assert_eq!(running.environment.as_deref(), Some("staging"));

        let canceled = find(&deployments, "gitlab:deployment:5535");
        assert_eq!(canceled.status, DeployStatus::Unknown);
        assert_eq!(
            canceled.attributes.get("gitlab_status").map(String::as_str),
            Some("canceled")
        );
        assert_eq!(canceled.at.to_rfc3339(), "2026-11-17T14:21:00+00:00");
    }

    #[test]
    fn truncated_fixtures_are_malformed_with_a_line() {
        let github = read("fixtures/formats/github-deployments/deployments.json");
        assert_truncation_is_malformed(Format::GithubDeployments, "gh.json", &github);
        let gitlab = read("fixtures/formats/gitlab-deployments/deployments.json");
        assert_truncation_is_malformed(Format::GitlabDeployments, "gl.json", &gitlab);
    }

    #[test]
    fn detection_leaves_other_formats_alone() {
        let mine = [Format::GithubDeployments, Format::GitlabDeployments];
        for relative in [
            "fixtures/demo/deploys.jsonl",
            "fixtures/demo/pagerduty-incidents.json",
        ] {
            let bytes = read(relative);
            let detected = detect(head(&bytes));
            assert!(detected.is_some(), "{relative} still detected");
            assert!(
                !detected.is_some_and(|f| mine.contains(&f)),
                "{relative}: {detected:?}"
            );
        }
        let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpora/github-status/incidents.json");
        if let Ok(bytes) = std::fs::read(corpus) {
            let detected = detect(head(&bytes));
            assert!(!detected.is_some_and(|f| mine.contains(&f)), "{detected:?}");
        }
    }
}
