//! The service catalog at work: every name a tool uses for a service (a deploy log's service,
//! an Argo CD app, a GitHub repository, a PagerDuty service id, a DevLake scope) maps onto one
//! canonical service, and `spec.dependsOn` gives the linker its upstream hops. Without a
//! catalog, services are matched by normalised name.

use std::collections::BTreeMap;

use hindsight_analysis::{DeploymentFacts, IncidentFacts};
use hindsight_model::normalise_service_name;
use hindsight_store::CatalogRow;
use serde::Serialize;
use ts_rs::TS;

use crate::{Hindsight, Result, SourceDto};

/// Attributes of a deployment or incident that may hold another name of its service, tried
/// in order when the record's own service name is not in the catalog.
const NAME_ATTRIBUTES: [&str; 12] = [
    "service_id",
    "pagerduty_service_id",
    "argocd_app",
    "app",
    "application",
    "app_name",
    "repository",
    "repo",
    "repository_full_name",
    "project",
    "cicd_scope_id",
    "repo_url",
];

/// Maps names onto canonical services.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceMap {
    /// Normalised alias -> canonical name.
    aliases: BTreeMap<String, String>,
    /// Canonical name -> the canonical names of its direct upstreams, sorted.
    depends_on: BTreeMap<String, Vec<String>>,
}

impl ServiceMap {
    /// Builds the map from catalog rows. When two entities claim one alias, an entity's own
    /// name beats another's alias, then Components beat Resources, APIs, projects, Systems and
    /// Domains, then the first entity ref wins.
    pub fn from_catalog(rows: &[CatalogRow]) -> Self {
        let kind_rank = |kind: &str| match kind {
            "component" => 0,
            "resource" => 1,
            "api" => 2,
            "project" => 3,
            "system" => 4,
            _ => 5,
        };
        let mut best: BTreeMap<String, ((u8, u8, String), String)> = BTreeMap::new();
        for row in rows {
            let own = std::iter::once((row.name.clone(), 0u8));
            let others = row.aliases.iter().map(|(alias, _)| {
                let rank = if *alias == row.name { 0 } else { 1 };
                (alias.clone(), rank)
            });
            for (alias, own_rank) in own.chain(others) {
                let key = (own_rank, kind_rank(&row.kind), row.entity_ref.clone());
                match best.get(&alias) {
                    Some((current, _)) if *current <= key => {}
                    _ => {
                        best.insert(alias, (key, row.name.clone()));
                    }
                }
            }
        }
        let by_ref: BTreeMap<&str, &str> = rows
            .iter()
            .map(|r| (r.entity_ref.as_str(), r.name.as_str()))
            .collect();
        let mut depends_on: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in rows {
            for upstream in &row.depends_on {
                let name = by_ref.get(upstream.as_str()).map_or_else(
                    || {
                        let name = upstream.rsplit(['/', ':']).next().unwrap_or(upstream);
                        normalise_service_name(name)
                    },
                    |n| (*n).to_owned(),
                );
                if name != row.name {
                    depends_on.entry(row.name.clone()).or_default().push(name);
                }
            }
        }
        for upstreams in depends_on.values_mut() {
            upstreams.sort();
            upstreams.dedup();
        }
        Self {
            aliases: best
                .into_iter()
                .map(|(alias, (_, name))| (alias, name))
                .collect(),
            depends_on,
        }
    }

    /// Whether the catalog names no service: every name is then its normalised self.
    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty()
    }

    /// The catalog's name for `name`, if the catalog knows it.
    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.aliases
            .get(&normalise_service_name(name))
            .map(String::as_str)
    }

    /// The canonical service of `name`: the catalog's, else the normalised name.
    pub fn canonical(&self, name: &str) -> String {
        self.lookup(name)
            .map_or_else(|| normalise_service_name(name), str::to_owned)
    }

    /// The canonical service of a record named `service` with `attributes`: its own name if
    /// the catalog knows it, else the first attribute naming a catalog service (a PagerDuty
    /// service id, an Argo CD app, a repository), else its normalised name.
    pub fn resolve(
        &self,
        service: Option<&str>,
        attributes: &BTreeMap<String, String>,
    ) -> Option<String> {
        // Normalised once: for the lookup, and as the answer when the catalog has no entry.
        let normalised = service.map(normalise_service_name);
        if let Some(found) = normalised.as_ref().and_then(|n| self.aliases.get(n)) {
            return Some(found.clone());
        }
        for key in NAME_ATTRIBUTES {
            let Some(value) = attributes.get(key) else {
                continue;
            };
            let last = value
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(value);
            if let Some(found) = self.lookup(value).or_else(|| self.lookup(last)) {
                return Some(found.to_owned());
            }
        }
        normalised.filter(|s| !s.is_empty())
    }

    /// Service -> its direct upstreams, for `LinkOptions::depends_on`.
    pub fn depends_on(&self) -> BTreeMap<String, Vec<String>> {
        self.depends_on.clone()
    }

    /// Puts every deployment and incident under its canonical service.
    pub fn apply(&self, deployments: &mut [DeploymentFacts], incidents: &mut [IncidentFacts]) {
        for d in deployments {
            if let Some(name) = self.resolve(Some(&d.service), &d.attributes) {
                d.service = name;
            }
        }
        let none = BTreeMap::new();
        for i in incidents {
            i.service = self.resolve(i.service.as_deref(), &none);
        }
    }
}

/// A catalog entity for `hindsight services` and the app.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ServiceDto {
    /// The canonical service name.
    pub name: String,
    pub entity_ref: String,
    pub kind: String,
    pub title: Option<String>,
    pub owner: Option<String>,
    pub system: Option<String>,
    pub aliases: Vec<ServiceAliasDto>,
    /// The canonical names of its direct upstreams.
    pub depends_on: Vec<String>,
    pub source: SourceDto,
}

/// One other name of a service and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ServiceAliasDto {
    pub alias: String,
    /// `argocd/app-name`, `pagerduty.com/service-id`, `project_mapping.cicd_scopes` ...
    pub origin: String,
}

impl Hindsight {
    /// The service map of the store's catalog (empty without one: names are normalised).
    pub fn service_map(&self) -> Result<ServiceMap> {
        Ok(ServiceMap::from_catalog(&self.store.catalog()?))
    }

    /// Canonical service -> owning team, from the catalog.
    pub fn service_owners(&self) -> Result<BTreeMap<String, String>> {
        Ok(self.store.service_owners()?)
    }

    /// Every catalog entity with its owner, aliases and upstreams, by entity ref.
    pub fn list_services(&self) -> Result<Vec<ServiceDto>> {
        let rows = self.store.catalog()?;
        let map = ServiceMap::from_catalog(&rows);
        Ok(rows
            .into_iter()
            .map(|row| ServiceDto {
                depends_on: map.depends_on.get(&row.name).cloned().unwrap_or_default(),
                name: row.name,
                entity_ref: row.entity_ref,
                kind: row.kind,
                title: row.title,
                owner: row.owner,
                system: row.system,
                aliases: row
                    .aliases
                    .into_iter()
                    .map(|(alias, origin)| ServiceAliasDto { alias, origin })
                    .collect(),
                source: SourceDto {
                    file: row.source_file,
                    location: row.source_location,
                },
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(entity_ref: &str, name: &str, aliases: &[&str], depends_on: &[&str]) -> CatalogRow {
        CatalogRow {
            id: 0,
            entity_ref: entity_ref.to_owned(),
            kind: entity_ref.split(':').next().unwrap_or_default().to_owned(),
            name: name.to_owned(),
            title: None,
            owner: None,
            system: None,
            aliases: aliases
                .iter()
                .map(|a| ((*a).to_owned(), "test".to_owned()))
                .collect(),
            depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
            source_file: "catalog-info.yaml".to_owned(),
            source_location: "/0".to_owned(),
        }
    }

    #[test]
    fn every_name_maps_onto_one_service() {
        let map = ServiceMap::from_catalog(&[
            row(
                "component:default/payments",
                "payments",
                &[
                    "payments-prod",
                    "pq1rx2z",
                    "acme/payments-service",
                    "payments-service",
                ],
                &["resource:default/orders-db", "component:default/ledger"],
            ),
            row("resource:default/orders-db", "orders-db", &[], &[]),
            // A System of the same name never takes the Component's name.
            row(
                "system:default/payments",
                "payments",
                &["payments-prod"],
                &[],
            ),
        ]);
        assert_eq!(map.canonical("Payments_Prod"), "payments");
        assert_eq!(map.canonical("PQ1RX2Z"), "payments");
        assert_eq!(map.canonical("Unknown Service"), "unknown-service");
        assert_eq!(
            map.resolve(
                Some("checkout-eu"),
                &BTreeMap::from([("service_id".to_owned(), "PQ1RX2Z".to_owned())])
            ),
            Some("payments".to_owned())
        );
        assert_eq!(
            map.resolve(
                Some("web"),
                &BTreeMap::from([(
                    "repo_url".to_owned(),
                    "https://github.com/acme/payments-service".to_owned()
                )])
            ),
            Some("payments".to_owned())
        );
        assert_eq!(map.resolve(None, &BTreeMap::new()), None);
        assert_eq!(
            map.depends_on(),
            BTreeMap::from([(
                "payments".to_owned(),
                vec!["ledger".to_owned(), "orders-db".to_owned()]
            )])
        );
    }

    #[test]
    fn without_a_catalog_names_are_normalised() {
        let map = ServiceMap::default();
        assert_eq!(map.canonical(" Checkout Service"), "checkout-service");
        assert!(map.depends_on().is_empty());
    }
}

#[cfg(test)]
mod linking {
    use chrono::{DateTime, Utc};

    use crate::Hindsight;

    const CATALOG: &[u8] = include_bytes!("../../../fixtures/formats/backstage/catalog-info.yaml");

    /// An Argo CD Application named by the catalog's `argocd/app-name`, synced once.
    const ARGO_APP: &str = r#"apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: payments-prod
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/acme/deploy.git
    path: apps/payments
    targetRevision: main
  destination:
    server: https://kubernetes.default.svc
    namespace: production
status:
  history:
    - id: 12
      revision: 4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e
      deployStartedAt: "2026-11-18T09:40:00Z"
      deployedAt: "2026-11-18T09:41:00Z"
      source:
        repoURL: https://github.com/acme/deploy.git
        path: apps/payments
        targetRevision: main
"#;

    /// PagerDuty incidents: one under a bare service reference (the service id), one on
    /// Checkout, which depends on payments.
    const PAGERDUTY: &str = r#"{"incidents": [
  {"id": "Q1AAA", "type": "incident", "incident_number": 101, "title": "Card payments failing",
   "status": "resolved", "urgency": "high", "created_at": "2026-11-18T10:05:00Z",
   "resolved_at": "2026-11-18T11:00:00Z",
   "service": {"id": "PQ1RX2Z", "type": "service_reference", "summary": "Card Payments (prod)"}},
  {"id": "Q1BBB", "type": "incident", "incident_number": 102, "title": "Checkout errors",
   "status": "resolved", "urgency": "high", "created_at": "2026-11-18T10:10:00Z",
   "resolved_at": "2026-11-18T10:50:00Z",
   "service": {"id": "PCHK001", "type": "service_reference", "summary": "Checkout"}}
], "limit": 25, "offset": 0, "more": false}"#;

    fn now() -> DateTime<Utc> {
        "2026-11-20T00:00:00Z".parse().expect("time")
    }

    fn app_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Hindsight) {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        for (name, bytes) in files {
            let outcome = app.ingest_bytes(name, bytes, now()).expect("ingest");
            assert_eq!(outcome.status, "stored", "{name}: {outcome:?}");
        }
        app.refresh_analysis().expect("refresh");
        (dir, app)
    }

    fn incident_id(app: &Hindsight, source_id: &str) -> i64 {
        app.list_incidents()
            .expect("incidents")
            .into_iter()
            .find(|i| i.source_id == source_id)
            .expect("incident")
            .id
    }

    #[test]
    fn a_pagerduty_service_id_and_an_argocd_app_land_on_one_service_and_link() {
        let (_dir, app) = app_with(&[
            ("catalog-info.yaml", CATALOG),
            ("payments-app.yaml", ARGO_APP.as_bytes()),
            ("incidents.json", PAGERDUTY.as_bytes()),
        ]);
        let detail = app
            .incident_detail(incident_id(&app, "Q1AAA"))
            .expect("detail");
        assert_eq!(detail.suspects.len(), 1);
        let suspect = &detail.suspects[0];
        assert_eq!(suspect.deployment.service, "payments-prod");
        assert_eq!(suspect.rank, 1);
        assert!(suspect.score > 0.3, "score {}", suspect.score);
        assert!(
            !suspect.evidence.iter().any(|e| e.contains("upstream")),
            "same service, no hop: {:?}",
            suspect.evidence
        );
    }

    #[test]
    fn depends_on_from_the_catalog_gives_an_upstream_hop_suspect() {
        let (_dir, app) = app_with(&[
            ("catalog-info.yaml", CATALOG),
            ("payments-app.yaml", ARGO_APP.as_bytes()),
            ("incidents.json", PAGERDUTY.as_bytes()),
        ]);
        let detail = app
            .incident_detail(incident_id(&app, "Q1BBB"))
            .expect("detail");
        assert_eq!(detail.suspects.len(), 1, "{:?}", detail.suspects);
        let suspect = &detail.suspects[0];
        assert_eq!(suspect.deployment.service, "payments-prod");
        assert!(
            suspect.evidence.iter().any(|e| e.contains("payments")),
            "{:?}",
            suspect.evidence
        );

        // Without the catalog, neither incident finds the deployment.
        let (_dir, bare) = app_with(&[
            ("payments-app.yaml", ARGO_APP.as_bytes()),
            ("incidents.json", PAGERDUTY.as_bytes()),
        ]);
        for id in ["Q1AAA", "Q1BBB"] {
            let detail = bare
                .incident_detail(incident_id(&bare, id))
                .expect("detail");
            assert!(detail.suspects.is_empty(), "{id}: {:?}", detail.suspects);
        }
    }

    #[test]
    fn services_list_owners_aliases_and_upstreams() {
        let (_dir, app) = app_with(&[("catalog-info.yaml", CATALOG)]);
        let services = app.list_services().expect("services");
        let names: Vec<&str> = services.iter().map(|s| s.entity_ref.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "api:default/payments-api",
                "component:default/checkout",
                "component:default/payments",
                "resource:default/orders-db",
                "system:default/commerce",
            ]
        );
        let checkout = &services[1];
        assert_eq!(checkout.owner.as_deref(), Some("jdoe"));
        assert_eq!(checkout.depends_on, vec!["orders-db", "payments"]);
        assert!(services[2]
            .aliases
            .iter()
            .any(|a| a.alias == "pq1rx2z" && a.origin == "pagerduty.com/service-id"));
        let owners = app.service_owners().expect("owners");
        assert_eq!(
            owners.get("payments").map(String::as_str),
            Some("team-payments")
        );
        assert_eq!(
            owners.get("orders-db").map(String::as_str),
            Some("platform")
        );
    }

    #[test]
    fn devlake_tables_load_into_the_store_and_projects_join_scopes() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpora/devlake-dora/connect_incident_to_deployment");
        let read = |p: &str| std::fs::read(dir.join(p)).expect("corpus file");
        let deployments = read("prev_success_deployment_commit/cicd_deployment_commits_after.csv");
        let incidents = read("raw_tables/incidents.csv");
        let mapping = read("raw_tables/project_mapping.csv");
        let (_dir, app) = app_with(&[
            ("cicd_deployment_commits_after.csv", &deployments),
            ("incidents.csv", &incidents),
            ("project_mapping.csv", &mapping),
        ]);
        let runs = app.list_runs().expect("runs");
        let stored: Vec<(String, i64, i64)> = runs
            .iter()
            .map(|r| (r.format.clone(), r.records_stored, r.records_rejected))
            .collect();
        assert_eq!(
            stored,
            vec![
                ("devlake-project-mapping".to_owned(), 2, 0),
                ("devlake-incidents".to_owned(), 7, 0),
                ("devlake-deployment-commits".to_owned(), 16, 0),
            ]
        );
        let map = app.service_map().expect("map");
        assert_eq!(map.canonical("cicd2"), "project1");
        assert_eq!(map.canonical("repo1"), "project1");
        assert_eq!(map.canonical("cicd3"), "project2");
        assert_eq!(map.canonical("repo3"), "repo3");
        // The board1 incident of project1 (2022-09-15 01:56) finds project1's production
        // deployments of the 72 hours before it, and none of project2's.
        let detail = app
            .incident_detail(incident_id(&app, "github:GithubIssue:1:1373792478"))
            .expect("detail");
        let keys: Vec<&str> = detail
            .suspects
            .iter()
            .map(|s| s.deployment.natural_key.as_str())
            .collect();
        assert!(keys.contains(&"devlake:3"), "{keys:?}");
        assert!(!keys.contains(&"devlake:15"), "{keys:?}");
        assert!(!keys.contains(&"devlake:1"), "outside the window: {keys:?}");
    }
}
