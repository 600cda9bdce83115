//! Apache DevLake domain tables exported as CSV, so a team moving from DevLake keeps its data:
//!
//! * `cicd_deployment_commits`: one deployment per row (`id`, `commit_sha`, `result`,
//!   `environment`, `started_date`, `finished_date`, `cicd_scope_id`, `repo_url` ...). The
//!   service is the row's `cicd_scope_id`, which `project_mapping` maps to a project.
//! * `incidents`: DevLake's issue-shaped incident table (`id`, `created_date`,
//!   `resolution_date`, `title`, `status`, `url`, `table`, `scope_id` ...); the service is the
//!   `scope_id`.
//! * `project_mapping` (`project_name`, `table`, `row_id`): one catalog entity per project
//!   whose aliases are its scope ids, so deployments and incidents land on the project.
//!
//! DevLake writes its times in UTC; a time without a zone is read as UTC.

use std::collections::BTreeMap;

use hindsight_model::{
    normalise_service_name, CatalogEntity, DeployStatus, Deployment, Incident, Record, Rejection,
    ServiceAlias, SourceRef,
};

use crate::csv::{header_of, read_csv, CsvRow};
use crate::time::parse_timestamp;
use crate::{excerpt, IngestError, Parsed};

/// Which DevLake table a CSV header shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    DeploymentCommits,
    Incidents,
    ProjectMapping,
}

/// The table a file's first line names, if it is one of DevLake's.
pub(crate) fn table_of(head: &str) -> Option<Table> {
    let header = header_of(head)?;
    let has = |name: &str| header.iter().any(|h| h == name);
    if has("commit_sha") && has("cicd_deployment_id") && has("result") {
        return Some(Table::DeploymentCommits);
    }
    if has("project_name") && has("table") && has("row_id") && header.len() == 3 {
        return Some(Table::ProjectMapping);
    }
    if has("id") && has("created_date") && has("scope_id") && has("table") {
        return Some(Table::Incidents);
    }
    None
}

pub(crate) fn parse(
    table: Table,
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Parsed),
) -> Result<(), IngestError> {
    let rows = read_csv(bytes).map_err(|e| IngestError::Malformed {
        file: file.to_owned(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Err(IngestError::Invalid {
            file: file.to_owned(),
            message: "empty file: expected a DevLake table with a header line".to_owned(),
        });
    };
    let header: Vec<String> = header
        .fields
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut projects: BTreeMap<String, (usize, Vec<ServiceAlias>)> = BTreeMap::new();
    for row in rows {
        if row.fields.len() != header.len() {
            sink(reject(
                file,
                &row,
                None,
                &format!(
                    "{} fields where the header has {}",
                    row.fields.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let fields: BTreeMap<&str, &str> = header
            .iter()
            .map(String::as_str)
            .zip(row.fields.iter().map(|f| f.trim()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        match table {
            Table::DeploymentCommits => sink(deployment(file, &row, &fields)),
            Table::Incidents => sink(incident(file, &row, &fields)),
            Table::ProjectMapping => {
                let (Some(project), Some(table), Some(row_id)) = (
                    fields.get("project_name"),
                    fields.get("table"),
                    fields.get("row_id"),
                ) else {
                    sink(reject(
                        file,
                        &row,
                        None,
                        "project_name, table and row_id are all required",
                    ));
                    continue;
                };
                let entry = projects
                    .entry((*project).to_owned())
                    .or_insert_with(|| (row.line, Vec::new()));
                entry.1.push(ServiceAlias {
                    alias: normalise_service_name(row_id),
                    origin: format!("project_mapping.{table}"),
                });
            }
        }
    }
    for (project, (line, mut aliases)) in projects {
        let name = normalise_service_name(&project);
        aliases.push(ServiceAlias {
            alias: name.clone(),
            origin: "project_name".to_owned(),
        });
        aliases.sort();
        aliases.dedup();
        sink(Parsed::Record(Record::CatalogEntity(CatalogEntity {
            entity_ref: format!("project:devlake/{}", project.to_ascii_lowercase()),
            kind: "project".to_owned(),
            name,
            title: Some(project),
            owner: None,
            system: None,
            depends_on: Vec::new(),
            aliases,
            source: SourceRef::line(file, line),
        })));
    }
    Ok(())
}

fn deployment(file: &str, row: &CsvRow, fields: &BTreeMap<&str, &str>) -> Parsed {
    let Some(id) = fields.get("id") else {
        return reject(file, row, Some("id"), "missing id");
    };
    let Some(service) = fields
        .get("cicd_scope_id")
        .map(|s| (*s).to_owned())
        .or_else(|| fields.get("repo_url").and_then(|u| last_segment(u)))
        .map(|s| normalise_service_name(&s))
        .filter(|s| !s.is_empty())
    else {
        return reject(
            file,
            row,
            Some("cicd_scope_id"),
            "neither cicd_scope_id nor repo_url names the service",
        );
    };
    let time_field = ["finished_date", "started_date", "created_date"]
        .into_iter()
        .find(|f| fields.contains_key(f));
    let Some(time_field) = time_field else {
        // DevLake writes such a row for a pipeline that was created but never ran (no start,
        // no finish) and leaves it out of its own DORA metrics: nothing was deployed. Kept and
        // listed, not an error in the file.
        return Parsed::Skipped(rejection(
            row,
            Some("finished_date"),
            "no finished_date, started_date or created_date, so the pipeline never ran and \
             nothing was deployed (DevLake's metrics leave such rows out too)",
        ));
    };
    let Some(at) = parse_timestamp(fields[time_field]) else {
        return reject(
            file,
            row,
            Some(time_field),
            &format!("not a timestamp: {:?}", fields[time_field]),
        );
    };
    let attributes: BTreeMap<String, String> = fields
        .iter()
        .filter(|(k, _)| !matches!(**k, "commit_sha" | "environment"))
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Parsed::Record(Record::Deployment(Deployment {
        natural_key: format!("devlake:{id}"),
        service,
        environment: fields.get("environment").map(|e| (*e).to_owned()),
        version: None,
        sha: fields.get("commit_sha").map(|s| s.to_ascii_lowercase()),
        status: fields
            .get("result")
            .map_or(DeployStatus::Unknown, |r| DeployStatus::parse(r)),
        actor: None,
        actor_type: None,
        action: "deploy".to_owned(),
        at,
        updated_at: None,
        attributes,
        source: SourceRef::line(file, row.line),
    }))
}

fn incident(file: &str, row: &CsvRow, fields: &BTreeMap<&str, &str>) -> Parsed {
    let Some(id) = fields.get("id") else {
        return reject(file, row, Some("id"), "missing id");
    };
    let Some(created) = fields.get("created_date") else {
        return reject(file, row, Some("created_date"), "missing created_date");
    };
    let Some(started_at) = parse_timestamp(created) else {
        return reject(
            file,
            row,
            Some("created_date"),
            &format!("not a timestamp: {created:?}"),
        );
    };
    let resolved_at = match fields.get("resolution_date") {
        Some(text) => match parse_timestamp(text) {
            Some(t) => Some(t),
            None => {
                return reject(
                    file,
                    row,
                    Some("resolution_date"),
                    &format!("not a timestamp: {text:?}"),
                )
            }
        },
        None => None,
    };
    let status = fields
        .get("status")
        .or_else(|| fields.get("original_status"))
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_else(|| {
            if resolved_at.is_some() {
                "resolved".to_owned()
            } else {
                "unknown".to_owned()
            }
        });
    Parsed::Record(Record::Incident(Incident {
        attributes: BTreeMap::new(),
        updated_at: None,
        source_system: "devlake".to_owned(),
        source_id: (*id).to_owned(),
        number: fields
            .get("incident_key")
            .or_else(|| fields.get("issue_key"))
            .and_then(|k| k.parse().ok()),
        title: fields
            .get("title")
            .map_or_else(|| (*id).to_owned(), |t| (*t).to_owned()),
        status,
        severity: fields
            .get("severity")
            .or_else(|| fields.get("priority"))
            .map(|s| (*s).to_owned()),
        service: fields
            .get("scope_id")
            .map(|s| normalise_service_name(s))
            .filter(|s| !s.is_empty()),
        started_at,
        resolved_at,
        url: fields.get("url").map(|u| (*u).to_owned()),
        events: Vec::new(),
        source: SourceRef::line(file, row.line),
    }))
}

/// `https://gitlab.com/gitlab-data/snowflake_spend` -> `snowflake_spend`.
fn last_segment(url: &str) -> Option<String> {
    url.trim_end_matches('/')
        .rsplit('/')
        .next()
        .map(|s| s.trim_end_matches(".git").to_owned())
        .filter(|s| !s.is_empty())
}

fn reject(_file: &str, row: &CsvRow, field: Option<&str>, reason: &str) -> Parsed {
    Parsed::Rejected(rejection(row, field, reason))
}

fn rejection(row: &CsvRow, field: Option<&str>, reason: &str) -> Rejection {
    Rejection {
        location: format!("line {}", row.line),
        field: field.map(str::to_owned),
        reason: reason.to_owned(),
        raw: excerpt(&row.raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_told_apart_by_their_headers() {
        assert_eq!(
            table_of("id,commit_sha,cicd_scope_id,cicd_deployment_id,result,repo_url\n"),
            Some(Table::DeploymentCommits)
        );
        assert_eq!(
            table_of("project_name,table,row_id\n"),
            Some(Table::ProjectMapping)
        );
        assert_eq!(
            table_of("id,created_date,updated_date,table,scope_id\n"),
            Some(Table::Incidents)
        );
        assert_eq!(table_of("incident_number,created_on,service_name\n"), None);
        assert_eq!(table_of("ts=1 service=a\n"), None);
    }

    #[test]
    fn a_short_row_and_a_bad_time_are_rejected_with_their_line() {
        let mut out = Vec::new();
        parse(
            Table::Incidents,
            "incidents.csv",
            b"id,created_date,table,scope_id\nA,2022-11-13 23:37:21,repos\nB,yesterday,repos,r1\n",
            &mut |p| out.push(p),
        )
        .expect("parses");
        let Parsed::Rejected(first) = &out[0] else {
            panic!("rejection expected")
        };
        assert_eq!(first.location, "line 2");
        assert_eq!(first.reason, "3 fields where the header has 4");
        let Parsed::Rejected(second) = &out[1] else {
            panic!("rejection expected")
        };
        assert_eq!(second.field.as_deref(), Some("created_date"));
        assert!(parse(Table::Incidents, "x.csv", b"", &mut |_| {}).is_err());
        assert!(parse(Table::Incidents, "x.csv", b"id,\"x\n", &mut |_| {}).is_err());
    }
}
