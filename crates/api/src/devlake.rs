//! `hindsight analyze --link-mode devlake`: Apache DevLake's incident-to-deployment rule, run
//! on DevLake's domain tables exported as CSV.

use std::path::{Path, PathBuf};

use hindsight_analysis::devlake::{
    connect_incidents_to_deployments, read_csv, CsvTable, DeploymentCommit, DevlakeIncident,
    ProjectMapping,
};
use serde::Serialize;
use ts_rs::TS;

use crate::{ApiError, Result};

/// One incident blamed on one deployment, as DevLake's `project_incident_deployment_relationships`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DevlakeLinkDto {
    pub incident_id: String,
    pub project_name: String,
    pub deployment_id: String,
}

/// Finds `name` (or, for deployments, any `cicd_deployment_commits*.csv`) below `dir`; the
/// first match in path order wins.
fn find_table(dir: &Path, accept: &dyn Fn(&str) -> bool) -> Result<Option<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|e| ApiError::BadInput(format!("{}: cannot list: {e}", current.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(accept)
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found.into_iter().next())
}

fn load(dir: &Path, what: &str, accept: &dyn Fn(&str) -> bool) -> Result<(PathBuf, CsvTable)> {
    let path = find_table(dir, accept)?.ok_or_else(|| {
        ApiError::BadInput(format!(
            "{}: no {what} table (CSV) found below this folder",
            dir.display()
        ))
    })?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ApiError::BadInput(format!("{}: cannot read: {e}", path.display())))?;
    let table =
        read_csv(&text).map_err(|e| ApiError::BadInput(format!("{}: {e}", path.display())))?;
    Ok((path, table))
}

/// Runs DevLake's rule for `project` on the `incidents.csv`, `project_mapping.csv` and
/// `cicd_deployment_commits*.csv` found below `dir`.
pub fn devlake_links(dir: &Path, project: &str) -> Result<Vec<DevlakeLinkDto>> {
    let (p1, incidents) = load(dir, "incidents", &|n| n == "incidents.csv")?;
    let (p2, mapping) = load(dir, "project_mapping", &|n| n == "project_mapping.csv")?;
    let (p3, deployments) = load(dir, "cicd_deployment_commits", &|n| {
        n.starts_with("cicd_deployment_commits") && n.ends_with(".csv")
    })?;
    let bad = |path: &Path, e: hindsight_analysis::devlake::DevlakeError| {
        ApiError::BadInput(format!("{}: {e}", path.display()))
    };
    let incidents = DevlakeIncident::from_csv(&incidents).map_err(|e| bad(&p1, e))?;
    let mapping = ProjectMapping::from_csv(&mapping).map_err(|e| bad(&p2, e))?;
    let deployments = DeploymentCommit::from_csv(&deployments).map_err(|e| bad(&p3, e))?;
    Ok(
        connect_incidents_to_deployments(project, &mapping, &incidents, &deployments)
            .into_iter()
            .map(
                |(incident_id, project_name, deployment_id)| DevlakeLinkDto {
                    incident_id,
                    project_name,
                    deployment_id,
                },
            )
            .collect(),
    )
}
