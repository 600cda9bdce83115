//! Backstage software catalog descriptor files (`catalog-info.yaml`): one or more entities
//! separated by `---`, in the descriptor format of
//! <https://backstage.io/docs/features/software-catalog/descriptor-format/> (YAML or the JSON
//! the catalog API returns, one entity or a list of them under `items`).
//!
//! Components, Systems, Resources, APIs and Domains become [`CatalogEntity`] records: the
//! canonical name (`metadata.name`), title, owner (`spec.owner` without its `group:`/`user:`
//! kind and namespace), system, `spec.dependsOn`, and every name a tool uses for the entity:
//! `github.com/project-slug`, `pagerduty.com/service-id`, `argocd/app-name` and
//! `backstage.io/source-location`. Groups, Users, Locations and Templates are not services:
//! they are kept as rejections that say so, never an error for the file.

use std::collections::BTreeSet;

use hindsight_model::{normalise_service_name, CatalogEntity, Record, ServiceAlias, SourceRef};
use serde::Deserialize;
use serde_json::Value;

use crate::json::{reject_item, text};
use crate::{IngestError, Parsed};

/// The kinds stored as catalog entities.
const SERVICE_KINDS: [&str; 5] = ["component", "system", "resource", "api", "domain"];

/// True when the head shows a Backstage descriptor: the `backstage.io/` API version.
pub(crate) fn looks_like(head: &str) -> bool {
    head.lines().any(|line| {
        let line = line.trim_start_matches([' ', '\t', '-', '{', '[']).trim();
        let value = line
            .strip_prefix("apiVersion:")
            .or_else(|| line.strip_prefix("\"apiVersion\":"));
        value.is_some_and(|v| {
            v.trim()
                .trim_matches(['"', '\'', ','])
                .starts_with("backstage.io/")
        })
    }) || head.contains("\"apiVersion\":\"backstage.io/")
        || head.contains("\"apiVersion\": \"backstage.io/")
}

pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut entities = Vec::new();
    for (index, document) in serde_norway::Deserializer::from_slice(bytes).enumerate() {
        let value = Value::deserialize(document).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            IngestError::Malformed {
                file: file.to_owned(),
                line,
                column,
                message: format!("not valid YAML: {e}"),
            }
        })?;
        let base = format!("/{index}");
        match value {
            Value::Object(mut map) => match map.remove("items") {
                Some(Value::Array(items)) => entities.extend(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| (format!("{base}/items/{i}"), item)),
                ),
                _ => entities.push((base, Value::Object(map))),
            },
            Value::Array(items) => entities.extend(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| (format!("{base}/{i}"), item)),
            ),
            // An empty document (a trailing `---`) holds nothing.
            Value::Null => {}
            other => sink(reject_item(
                &base,
                &other,
                "kind",
                "expected a catalog entity (a mapping with apiVersion, kind, metadata)",
            )),
        }
    }
    if entities.is_empty() {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "no catalog entities in the file".to_owned(),
        });
    }
    for (pointer, item) in entities {
        sink(entity(file, &pointer, &item));
    }
    Ok(())
}

fn entity(file: &str, pointer: &str, item: &Value) -> Parsed {
    let Some(kind) = text(&item["kind"]) else {
        return reject_item(pointer, item, "kind", "missing kind");
    };
    let kind = kind.to_ascii_lowercase();
    if !SERVICE_KINDS.contains(&kind.as_str()) {
        return reject_item(
            pointer,
            item,
            "kind",
            &format!(
                "a Backstage {} entity is not a service and is not stored (owners are read \
                 from spec.owner)",
                text(&item["kind"]).unwrap_or_default()
            ),
        );
    }
    let metadata = &item["metadata"];
    let Some(raw_name) = text(&metadata["name"]) else {
        return reject_item(pointer, item, "metadata.name", "missing metadata.name");
    };
    let name = normalise_service_name(&raw_name);
    let namespace = text(&metadata["namespace"])
        .unwrap_or_else(|| "default".to_owned())
        .to_ascii_lowercase();
    let spec = &item["spec"];
    let title = text(&metadata["title"]);
    let owner = text(&spec["owner"]).map(|o| ref_name(&o));
    let system = text(&spec["system"]).map(|s| normalise_service_name(&ref_name(&s)));
    let mut depends_on: Vec<String> = match &spec["dependsOn"] {
        Value::Array(items) => items
            .iter()
            .filter_map(text)
            .map(|r| complete_ref(&r, "component", &namespace))
            .collect(),
        value => text(value)
            .map(|r| vec![complete_ref(&r, "component", &namespace)])
            .unwrap_or_default(),
    };
    depends_on.sort();
    depends_on.dedup();

    let mut aliases = BTreeSet::new();
    let mut add = |alias: &str, origin: &str| {
        let alias = normalise_service_name(alias);
        if !alias.is_empty() {
            aliases.insert(ServiceAlias {
                alias,
                origin: origin.to_owned(),
            });
        }
    };
    add(&raw_name, "metadata.name");
    if let Some(title) = &title {
        add(title, "metadata.title");
    }
    let annotations = &metadata["annotations"];
    if let Some(slug) = text(&annotations["github.com/project-slug"]) {
        add(&slug, "github.com/project-slug");
        if let Some((_, repo)) = slug.rsplit_once('/') {
            add(repo, "github.com/project-slug");
        }
    }
    if let Some(id) = text(&annotations["pagerduty.com/service-id"]) {
        add(&id, "pagerduty.com/service-id");
    }
    if let Some(apps) = text(&annotations["argocd/app-name"]) {
        for app in apps.split(',') {
            add(app, "argocd/app-name");
        }
    }
    if let Some(location) = text(&annotations["backstage.io/source-location"]) {
        if let Some((owner_repo, repo)) = repository_of_location(&location) {
            add(&owner_repo, "backstage.io/source-location");
            add(&repo, "backstage.io/source-location");
        }
    }

    Parsed::Record(Record::CatalogEntity(CatalogEntity {
        entity_ref: format!("{kind}:{namespace}/{}", raw_name.to_ascii_lowercase()),
        kind,
        name,
        title,
        owner,
        system,
        depends_on,
        aliases: aliases.into_iter().collect(),
        source: SourceRef::pointer(file, pointer),
    }))
}

/// The name part of an entity ref: `group:default/team-payments` -> `team-payments`.
fn ref_name(reference: &str) -> String {
    let without_kind = reference
        .split_once(':')
        .map_or(reference, |(_, rest)| rest);
    without_kind
        .rsplit_once('/')
        .map_or(without_kind, |(_, name)| name)
        .trim()
        .to_owned()
}

/// `[kind:][namespace/]name` completed with the defaults, in lower case.
fn complete_ref(reference: &str, default_kind: &str, default_namespace: &str) -> String {
    let reference = reference.trim().to_ascii_lowercase();
    let (kind, rest) = match reference.split_once(':') {
        Some((kind, rest)) => (kind.to_owned(), rest.to_owned()),
        None => (default_kind.to_owned(), reference.clone()),
    };
    let (namespace, name) = match rest.split_once('/') {
        Some((namespace, name)) => (namespace.to_owned(), name.to_owned()),
        None => (default_namespace.to_owned(), rest),
    };
    format!("{kind}:{namespace}/{name}")
}

/// `url:https://github.com/acme/payments/tree/main/` -> (`acme/payments`, `payments`).
fn repository_of_location(location: &str) -> Option<(String, String)> {
    let url = location
        .strip_prefix("url:")
        .unwrap_or(location)
        .trim()
        .trim_end_matches('/');
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let mut parts = rest.split('/').skip(1).filter(|p| !p.is_empty());
    let owner = parts.next()?;
    let repo = parts.next()?.trim_end_matches(".git");
    if repo.is_empty() {
        return None;
    }
    Some((format!("{owner}/{repo}"), repo.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hindsight_model::Rejection;

    fn parse_all(bytes: &[u8]) -> (Vec<CatalogEntity>, Vec<Rejection>) {
        let mut entities = Vec::new();
        let mut rejections = Vec::new();
        parse("catalog-info.yaml", bytes, &mut |p| match p {
            Parsed::Record(Record::CatalogEntity(e)) => entities.push(e),
            Parsed::Record(other) => panic!("unexpected {other:?}"),
            Parsed::Rejected(r) => rejections.push(r),
            Parsed::Skipped(s) => panic!("unexpected skipped record {s:?}"),
        })
        .expect("parses");
        (entities, rejections)
    }

    const FIXTURE: &[u8] = include_bytes!("../../../fixtures/formats/backstage/catalog-info.yaml");

    #[test]
    fn components_systems_and_resources_with_their_names() {
        let (entities, rejections) = parse_all(FIXTURE);
        let refs: Vec<&str> = entities.iter().map(|e| e.entity_ref.as_str()).collect();
        assert_eq!(
            refs,
            vec![
                "system:default/commerce",
                "component:default/payments",
                "component:default/checkout",
                "resource:default/orders-db",
                "api:default/payments-api",
            ]
        );
        let payments = &entities[1];
        assert_eq!(payments.kind, "component");
        assert_eq!(payments.name, "payments");
        assert_eq!(payments.title.as_deref(), Some("Payments Service"));
        assert_eq!(payments.owner.as_deref(), Some("team-payments"));
        assert_eq!(payments.system.as_deref(), Some("commerce"));
        assert_eq!(payments.depends_on, vec!["resource:default/orders-db"]);
        assert_eq!(payments.source.location, "/1");
        let aliases: Vec<(&str, &str)> = payments
            .aliases
            .iter()
            .map(|a| (a.alias.as_str(), a.origin.as_str()))
            .collect();
        assert_eq!(
            aliases,
            vec![
                ("acme/payments-service", "backstage.io/source-location"),
                ("acme/payments-service", "github.com/project-slug"),
                ("payments", "metadata.name"),
                ("payments-prod", "argocd/app-name"),
                ("payments-service", "backstage.io/source-location"),
                ("payments-service", "github.com/project-slug"),
                ("payments-service", "metadata.title"),
                ("pq1rx2z", "pagerduty.com/service-id"),
            ]
        );
        let checkout = &entities[2];
        assert_eq!(checkout.owner.as_deref(), Some("jdoe"));
        assert_eq!(
            checkout.depends_on,
            vec!["component:default/payments", "resource:default/orders-db"]
        );
        assert_eq!(entities[3].owner.as_deref(), Some("platform"));
        // Group and User entities are kept as rejections that say why, never an error.
        assert_eq!(rejections.len(), 2);
        assert_eq!(rejections[0].location, "/5");
        assert!(rejections[0]
            .reason
            .contains("Group entity is not a service"));
        assert_eq!(rejections[1].field.as_deref(), Some("kind"));
    }

    #[test]
    fn refs_are_completed_and_owners_stripped() {
        assert_eq!(ref_name("group:default/team-a"), "team-a");
        assert_eq!(ref_name("user:jdoe"), "jdoe");
        assert_eq!(ref_name("team-b"), "team-b");
        assert_eq!(
            complete_ref("Resource:orders-db", "component", "default"),
            "resource:default/orders-db"
        );
        assert_eq!(
            complete_ref("payments", "component", "shop"),
            "component:shop/payments"
        );
        assert_eq!(
            repository_of_location("url:https://gitlab.com/acme/web.git/"),
            Some(("acme/web".to_owned(), "web".to_owned()))
        );
        assert_eq!(repository_of_location("url:https://github.com/acme"), None);
    }

    #[test]
    fn json_lists_detection_and_bad_input() {
        let json = br#"{"items": [{"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "Web_UI"}, "spec": {"type": "website", "owner": "web",
            "lifecycle": "production"}}, {"apiVersion": "backstage.io/v1alpha1",
            "kind": "Component", "metadata": {}}]}"#;
        let (entities, rejections) = parse_all(json);
        assert_eq!(entities[0].entity_ref, "component:default/web_ui");
        assert_eq!(entities[0].name, "web-ui");
        assert_eq!(rejections[0].field.as_deref(), Some("metadata.name"));
        assert_eq!(rejections[0].location, "/0/items/1");
        assert!(looks_like(
            "---\napiVersion: backstage.io/v1alpha1\nkind: System\n"
        ));
        assert!(looks_like("{\"apiVersion\": \"backstage.io/v1alpha1\","));
        assert!(!looks_like(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
        ));
        let error = parse("c.yaml", b"kind: [unclosed\n", &mut |_| {}).expect_err("bad yaml");
        assert!(matches!(error, IngestError::Malformed { .. }));
        assert!(parse("c.yaml", b"---\n", &mut |_| {}).is_err());
    }
}
