//! Apache DevLake's DORA rules, reproduced over plain row structs so that Hindsight's own
//! linking can be checked against DevLake's published end-to-end fixtures
//! (`backend/plugins/dora/e2e/` in apache/incubator-devlake, Apache License 2.0).
//!
//! Three rules are reproduced, as stated in `shared/corpora/README.md` §3:
//! * [`connect_incidents_to_deployments`]: the deployment blamed for an incident;
//! * [`chain_previous_successful`]: the previous successful deployment commit of each row;
//! * [`generate_deployments`]: CI pipelines turned into deployment-commit rows.
//!
//! A small RFC 4180 CSV reader ([`read_csv`]) and a date parser for DevLake's formats
//! ([`parse_devlake_date`]) load the fixture tables.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// The `cicd_scopes` table name in `project_mapping`.
const CICD_SCOPES: &str = "cicd_scopes";
const SUCCESS: &str = "SUCCESS";
const FAILURE: &str = "FAILURE";
const SKIPPED: &str = "SKIPPED";
const DEPLOYMENT: &str = "DEPLOYMENT";
const PRODUCTION: &str = "PRODUCTION";
const STAGING: &str = "STAGING";
const TESTING: &str = "TESTING";

/// Errors of reading DevLake tables.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DevlakeError {
    #[error("CSV line {line}: {message}")]
    Csv { line: usize, message: String },
    #[error("missing column `{0}`")]
    MissingColumn(String),
    #[error("unrecognised date `{0}`")]
    Date(String),
    #[error("column `{column}`: `{value}` is not a number")]
    Number { column: String, value: String },
}

/// A parsed CSV file: the header and the records, every record as long as the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl CsvTable {
    /// The index of a column, or an error naming it.
    pub fn column(&self, name: &str) -> Result<usize, DevlakeError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| DevlakeError::MissingColumn(name.to_string()))
    }

    /// The index of a column if the file has it.
    pub fn optional_column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// Reads comma-separated text with a header line, following RFC 4180: fields may be quoted
/// with `"`, a quoted field may hold commas, line breaks and doubled quotes (`""`), and lines
/// end with LF or CRLF. A trailing line break, a UTF-8 byte-order mark and blank lines are
/// ignored. Every record must have as many fields as the header.
pub fn read_csv(text: &str) -> Result<CsvTable, DevlakeError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records: Vec<(usize, Vec<String>)> = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    // Whether the current field started with a quote (and so is finished when it closes).
    let mut was_quoted = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if in_quotes {
            match ch {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(ch);
                }
                _ => field.push(ch),
            }
            continue;
        }
        match ch {
            '"' if field.is_empty() && !was_quoted => {
                in_quotes = true;
                was_quoted = true;
            }
            '"' => {
                return Err(DevlakeError::Csv {
                    line,
                    message: "quote inside an unquoted field".to_string(),
                })
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
                let finished = std::mem::take(&mut record);
                if !(finished.len() == 1 && finished[0].is_empty()) {
                    records.push((record_line, finished));
                }
                line += 1;
                record_line = line;
            }
            _ if was_quoted => {
                return Err(DevlakeError::Csv {
                    line,
                    message: "text after a closing quote".to_string(),
                })
            }
            _ => field.push(ch),
        }
    }
    if in_quotes {
        return Err(DevlakeError::Csv {
            line,
            message: "unterminated quoted field".to_string(),
        });
    }
    if !field.is_empty() || was_quoted || !record.is_empty() {
        record.push(field);
        records.push((record_line, record));
    }
    let mut iter = records.into_iter();
    let Some((_, header)) = iter.next() else {
        return Err(DevlakeError::Csv {
            line: 1,
            message: "no header line".to_string(),
        });
    };
    let mut rows = Vec::new();
    for (at, row) in iter {
        if row.len() != header.len() {
            return Err(DevlakeError::Csv {
                line: at,
                message: format!("{} fields, the header has {}", row.len(), header.len()),
            });
        }
        rows.push(row);
    }
    Ok(CsvTable { header, rows })
}

/// Parses a DevLake date. Empty text is `None`. Accepted forms:
/// * RFC 3339 / ISO 8601 with an offset, e.g. `2022-09-11T06:51:47.000+00:00`;
/// * zone-less `2022-11-13 23:37:21` or `2022-11-13T23:37:21`, with optional fractional
///   seconds, read as UTC (DevLake stores UTC in MySQL `datetime` columns);
/// * unpadded hours, e.g. `2022-09-10 6:51:47`.
pub fn parse_devlake_date(text: &str) -> Result<Option<DateTime<Utc>>, DevlakeError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(dt.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(dt) = DateTime::parse_from_str(text, format) {
            return Ok(Some(dt.with_timezone(&Utc)));
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Some(naive.and_utc()));
        }
    }
    Err(DevlakeError::Date(text.to_string()))
}

/// A row of `project_mapping`: `row_id` of `table` belongs to `project_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectMapping {
    pub project_name: String,
    pub table: String,
    pub row_id: String,
}

/// An incident (DevLake's `issues` of type INCIDENT, reduced to what the rule reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevlakeIncident {
    pub id: String,
    pub created_date: Option<DateTime<Utc>>,
    /// The table of the scope the incident belongs to (`boards` or `repos`).
    pub table: String,
    pub scope_id: String,
}

/// A row of `cicd_deployment_commits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentCommit {
    pub id: String,
    pub commit_sha: String,
    pub result: String,
    pub started_date: Option<DateTime<Utc>>,
    pub finished_date: Option<DateTime<Utc>>,
    pub cicd_deployment_id: String,
    pub cicd_scope_id: String,
    pub repo_url: String,
    pub environment: String,
    pub prev_success_deployment_commit_id: Option<String>,
}

/// A row of `cicd_pipelines`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub id: String,
    pub name: String,
    pub result: String,
    pub status: String,
    /// DevLake's `type` column (`DEPLOYMENT`, `BUILD`, … or empty).
    pub pipeline_type: String,
    pub duration_sec: Option<f64>,
    pub environment: String,
    pub created_date: Option<DateTime<Utc>>,
    pub started_date: Option<DateTime<Utc>>,
    pub finished_date: Option<DateTime<Utc>>,
    pub cicd_scope_id: String,
}

/// A row of `cicd_pipeline_commits`: a commit a pipeline built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineCommit {
    pub pipeline_id: String,
    pub commit_sha: String,
    pub branch: String,
    pub repo_id: String,
    pub repo_url: String,
}

/// A row of `cicd_tasks` (a job of a pipeline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub name: String,
    pub pipeline_id: String,
    pub result: String,
    pub status: String,
    /// DevLake's `type` column.
    pub task_type: String,
    pub environment: String,
}

/// A deployment-commit row produced by [`generate_deployments`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedDeploymentCommit {
    pub id: String,
    pub commit_sha: String,
    pub cicd_scope_id: String,
    pub cicd_deployment_id: String,
    pub result: String,
    pub repo_url: String,
    /// Empty when neither the pipeline nor its tasks name one.
    pub environment: String,
    pub started_date: Option<DateTime<Utc>>,
    pub finished_date: Option<DateTime<Utc>>,
}

/// One CSV record with its columns looked up by name; absent optional columns read as "".
struct Record<'a> {
    index: &'a BTreeMap<&'a str, usize>,
    row: &'a [String],
}

impl Record<'_> {
    fn get(&self, name: &str) -> &str {
        self.index
            .get(name)
            .and_then(|&i| self.row.get(i))
            .map_or("", String::as_str)
    }
}

/// Reads every row through `build`, after checking that the `required` columns exist.
fn rows_of<T>(
    table: &CsvTable,
    required: &[&'static str],
    optional: &[&'static str],
    build: impl Fn(&Record<'_>) -> Result<T, DevlakeError>,
) -> Result<Vec<T>, DevlakeError> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for &name in required {
        index.insert(name, table.column(name)?);
    }
    for &name in optional {
        if let Some(i) = table.optional_column(name) {
            index.insert(name, i);
        }
    }
    table
        .rows
        .iter()
        .map(|row| build(&Record { index: &index, row }))
        .collect()
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

impl ProjectMapping {
    /// Reads `project_mapping.csv` (`project_name`, `table`, `row_id`).
    pub fn from_csv(table: &CsvTable) -> Result<Vec<Self>, DevlakeError> {
        rows_of(table, &["project_name", "table", "row_id"], &[], |r| {
            Ok(ProjectMapping {
                project_name: r.get("project_name").to_string(),
                table: r.get("table").to_string(),
                row_id: r.get("row_id").to_string(),
            })
        })
    }
}

impl DevlakeIncident {
    /// Reads `incidents.csv` (`id`, `created_date`, `table`, `scope_id`).
    pub fn from_csv(table: &CsvTable) -> Result<Vec<Self>, DevlakeError> {
        rows_of(
            table,
            &["id", "created_date", "table", "scope_id"],
            &[],
            |r| {
                Ok(DevlakeIncident {
                    id: r.get("id").to_string(),
                    created_date: parse_devlake_date(r.get("created_date"))?,
                    table: r.get("table").to_string(),
                    scope_id: r.get("scope_id").to_string(),
                })
            },
        )
    }
}

impl DeploymentCommit {
    /// Reads a `cicd_deployment_commits*.csv` file; `commit_sha` and
    /// `prev_success_deployment_commit_id` may be absent.
    pub fn from_csv(table: &CsvTable) -> Result<Vec<Self>, DevlakeError> {
        rows_of(
            table,
            &[
                "id",
                "result",
                "started_date",
                "finished_date",
                "cicd_deployment_id",
                "cicd_scope_id",
                "repo_url",
                "environment",
            ],
            &["commit_sha", "prev_success_deployment_commit_id"],
            |r| {
                Ok(DeploymentCommit {
                    id: r.get("id").to_string(),
                    commit_sha: r.get("commit_sha").to_string(),
                    result: r.get("result").to_string(),
                    started_date: parse_devlake_date(r.get("started_date"))?,
                    finished_date: parse_devlake_date(r.get("finished_date"))?,
                    cicd_deployment_id: r.get("cicd_deployment_id").to_string(),
                    cicd_scope_id: r.get("cicd_scope_id").to_string(),
                    repo_url: r.get("repo_url").to_string(),
                    environment: r.get("environment").to_string(),
                    prev_success_deployment_commit_id: non_empty(
                        r.get("prev_success_deployment_commit_id"),
                    ),
                })
            },
        )
    }
}

impl Pipeline {
    /// Reads `cicd_pipelines.csv`; `started_date` and `created_date` may be absent.
    pub fn from_csv(table: &CsvTable) -> Result<Vec<Self>, DevlakeError> {
        rows_of(
            table,
            &[
                "id",
                "result",
                "type",
                "duration_sec",
                "environment",
                "finished_date",
                "cicd_scope_id",
            ],
            &["name", "status", "created_date", "started_date"],
            |r| {
                let raw = r.get("duration_sec").trim();
                let duration_sec = if raw.is_empty() {
                    None
                } else {
                    Some(raw.parse::<f64>().map_err(|_| DevlakeError::Number {
                        column: "duration_sec".to_string(),
                        value: raw.to_string(),
                    })?)
                };
                Ok(Pipeline {
                    id: r.get("id").to_string(),
                    name: r.get("name").to_string(),
                    result: r.get("result").to_string(),
                    status: r.get("status").to_string(),
                    pipeline_type: r.get("type").to_string(),
                    duration_sec,
                    environment: r.get("environment").to_string(),
                    created_date: parse_devlake_date(r.get("created_date"))?,
                    started_date: parse_devlake_date(r.get("started_date"))?,
                    finished_date: parse_devlake_date(r.get("finished_date"))?,
                    cicd_scope_id: r.get("cicd_scope_id").to_string(),
                })
            },
        )
    }
}

impl PipelineCommit {
    /// Reads `cicd_pipeline_commits.csv`.
    pub fn from_csv(table: &CsvTable) -> Result<Vec<Self>, DevlakeError> {
        rows_of(
            table,
            &["pipeline_id", "commit_sha", "repo_url"],
            &["branch", "repo_id"],
            |r| {
                Ok(PipelineCommit {
                    pipeline_id: r.get("pipeline_id").to_string(),
                    commit_sha: r.get("commit_sha").to_string(),
                    branch: r.get("branch").to_string(),
                    repo_id: r.get("repo_id").to_string(),
                    repo_url: r.get("repo_url").to_string(),
                })
            },
        )
    }
}

impl Task {
    /// Reads `cicd_tasks.csv`.
    pub fn from_csv(table: &CsvTable) -> Result<Vec<Self>, DevlakeError> {
        rows_of(
            table,
            &["pipeline_id", "result", "type", "environment"],
            &["id", "name", "status"],
            |r| {
                Ok(Task {
                    id: r.get("id").to_string(),
                    name: r.get("name").to_string(),
                    pipeline_id: r.get("pipeline_id").to_string(),
                    result: r.get("result").to_string(),
                    status: r.get("status").to_string(),
                    task_type: r.get("type").to_string(),
                    environment: r.get("environment").to_string(),
                })
            },
        )
    }
}

/// The `row_id`s of `table` mapped to `project`.
fn mapped<'a>(project: &str, mapping: &'a [ProjectMapping], table: &str) -> HashSet<&'a str> {
    mapping
        .iter()
        .filter(|m| m.project_name == project && m.table == table)
        .map(|m| m.row_id.as_str())
        .collect()
}

/// DevLake's incident → deployment rule (`dora` plugin, "connect incident to deployment").
///
/// 1. Only incidents whose (`table`, `scope_id`) is mapped to `project` count.
/// 2. Candidates are deployment-commit rows of the project's CI/CD scopes with result
///    `SUCCESS`, environment `PRODUCTION` and a `finished_date` strictly before the incident's
///    `created_date`.
/// 3. The candidate that finished last is blamed: its `cicd_deployment_id` is returned.
/// 4. Incidents with no candidate (or no `created_date`) get no row.
///
/// Ties on `finished_date` are undefined upstream; here the earliest row in input order wins.
/// Rows come back sorted by incident id, then deployment id.
pub fn connect_incidents_to_deployments(
    project: &str,
    mapping: &[ProjectMapping],
    incidents: &[DevlakeIncident],
    deployment_commits: &[DeploymentCommit],
) -> Vec<(String, String, String)> {
    let scopes = mapped(project, mapping, CICD_SCOPES);
    let project_rows: HashSet<(&str, &str)> = mapping
        .iter()
        .filter(|m| m.project_name == project)
        .map(|m| (m.table.as_str(), m.row_id.as_str()))
        .collect();
    let candidates: Vec<(&DateTime<Utc>, &DeploymentCommit)> = deployment_commits
        .iter()
        .filter(|d| {
            scopes.contains(d.cicd_scope_id.as_str())
                && d.result == SUCCESS
                && d.environment == PRODUCTION
        })
        .filter_map(|d| d.finished_date.as_ref().map(|f| (f, d)))
        .collect();
    let mut out: BTreeSet<(String, String, String)> = BTreeSet::new();
    for incident in incidents {
        if !project_rows.contains(&(incident.table.as_str(), incident.scope_id.as_str())) {
            continue;
        }
        let Some(created) = incident.created_date else {
            continue;
        };
        let mut best: Option<(&DateTime<Utc>, &DeploymentCommit)> = None;
        for &(finished, row) in &candidates {
            if *finished < created && best.is_none_or(|(b, _)| finished > b) {
                best = Some((finished, row));
            }
        }
        if let Some((_, row)) = best {
            out.insert((
                incident.id.clone(),
                project.to_string(),
                row.cicd_deployment_id.clone(),
            ));
        }
    }
    out.into_iter().collect()
}

/// (`cicd_scope_id`, `repo_url`, `environment`): the group of a chain.
type ChainKey<'a> = (&'a str, &'a str, &'a str);

/// DevLake's "previous successful deployment commit" chaining.
///
/// 1. A row takes part when its CI/CD scope is mapped to `project`, its result is `SUCCESS`,
///    and it has a `finished_date`, a non-empty `environment` and a non-empty `repo_url`.
/// 2. Taking rows are grouped by (`cicd_scope_id`, `repo_url`, `environment`) and ordered by
///    `finished_date` (ties: input order); each points to the one before it in its group.
/// 3. Every other row, and the first of each group, gets `None`.
///
/// Returns one pair (row id, previous row id) per input row, in input order.
pub fn chain_previous_successful(
    project: &str,
    mapping: &[ProjectMapping],
    rows: &[DeploymentCommit],
) -> Vec<(String, Option<String>)> {
    let scopes = mapped(project, mapping, CICD_SCOPES);
    let mut groups: BTreeMap<ChainKey<'_>, Vec<(DateTime<Utc>, usize)>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let Some(finished) = row.finished_date else {
            continue;
        };
        if scopes.contains(row.cicd_scope_id.as_str())
            && row.result == SUCCESS
            && !row.environment.is_empty()
            && !row.repo_url.is_empty()
        {
            groups
                .entry((
                    row.cicd_scope_id.as_str(),
                    row.repo_url.as_str(),
                    row.environment.as_str(),
                ))
                .or_default()
                .push((finished, i));
        }
    }
    let mut previous: Vec<Option<String>> = vec![None; rows.len()];
    for members in groups.values_mut() {
        members.sort_by_key(|&(finished, i)| (finished, i));
        for pair in members.windows(2) {
            previous[pair[1].1] = Some(rows[pair[0].1].id.clone());
        }
    }
    rows.iter()
        .zip(previous)
        .map(|(row, prev)| (row.id.clone(), prev))
        .collect()
}

/// DevLake's deployment generator: CI pipelines of the project become deployment commits.
///
/// 1. Each pipeline-commit row whose pipeline belongs to one of the project's CI/CD scopes
///    becomes a deployment commit when the pipeline's result is `SUCCESS` or `FAILURE`, and the
///    pipeline has type `DEPLOYMENT` or one of its tasks has type `DEPLOYMENT` with result
///    `SUCCESS` or `FAILURE`.
/// 2. `id` is `<pipeline id>:<repo_url>`; `cicd_deployment_id` is the pipeline id; `result`,
///    `cicd_scope_id` and `finished_date` come from the pipeline; `commit_sha` and `repo_url`
///    from the pipeline commit.
/// 3. `started_date` is the pipeline's when present, else `finished_date − duration_sec`
///    (a missing duration counts as 0), else empty.
/// 4. `environment` is the pipeline's when set, else from its non-skipped tasks: PRODUCTION if
///    any, else STAGING, else TESTING, else empty.
///
/// Rows come back in pipeline-commit input order; pipeline commits with no known pipeline are
/// skipped.
pub fn generate_deployments(
    project: &str,
    mapping: &[ProjectMapping],
    pipelines: &[Pipeline],
    pipeline_commits: &[PipelineCommit],
    tasks: &[Task],
) -> Vec<GeneratedDeploymentCommit> {
    let scopes = mapped(project, mapping, CICD_SCOPES);
    let by_id: BTreeMap<&str, &Pipeline> = pipelines.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut tasks_of: BTreeMap<&str, Vec<&Task>> = BTreeMap::new();
    for task in tasks {
        tasks_of
            .entry(task.pipeline_id.as_str())
            .or_default()
            .push(task);
    }
    let mut out = Vec::new();
    for pc in pipeline_commits {
        let Some(pipeline) = by_id.get(pc.pipeline_id.as_str()) else {
            continue;
        };
        if !scopes.contains(pipeline.cicd_scope_id.as_str()) {
            continue;
        }
        if pipeline.result != SUCCESS && pipeline.result != FAILURE {
            continue;
        }
        let own_tasks = tasks_of
            .get(pipeline.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        let deploys = pipeline.pipeline_type == DEPLOYMENT
            || own_tasks
                .iter()
                .any(|t| t.task_type == DEPLOYMENT && (t.result == SUCCESS || t.result == FAILURE));
        if !deploys {
            continue;
        }
        let started_date = pipeline.started_date.or_else(|| {
            pipeline.finished_date.map(|finished| {
                let millis = (pipeline.duration_sec.unwrap_or(0.0) * 1000.0).round() as i64;
                finished - Duration::milliseconds(millis)
            })
        });
        let environment = if pipeline.environment.is_empty() {
            let has = |env: &str| {
                own_tasks
                    .iter()
                    .any(|t| t.environment == env && t.result != SKIPPED)
            };
            [PRODUCTION, STAGING, TESTING]
                .into_iter()
                .find(|env| has(env))
                .unwrap_or("")
                .to_string()
        } else {
            pipeline.environment.clone()
        };
        out.push(GeneratedDeploymentCommit {
            id: format!("{}:{}", pipeline.id, pc.repo_url),
            commit_sha: pc.commit_sha.clone(),
            cicd_scope_id: pipeline.cicd_scope_id.clone(),
            cicd_deployment_id: pipeline.id.clone(),
            result: pipeline.result.clone(),
            repo_url: pc.repo_url.clone(),
            environment,
            started_date,
            finished_date: pipeline.finished_date,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn csv_quoting_rules() {
        let text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,,\"multi\nline\"\n\n";
        let table = read_csv(text).expect("valid CSV");
        assert_eq!(table.header, ["a", "b", "c"]);
        assert_eq!(
            table.rows,
            vec![
                vec![
                    "1".to_string(),
                    "x, y".to_string(),
                    "say \"hi\"".to_string()
                ],
                vec!["2".to_string(), String::new(), "multi\nline".to_string()],
            ]
        );
        // No trailing newline, empty last field.
        let table = read_csv("a,b\n1,").expect("valid CSV");
        assert_eq!(table.rows, vec![vec!["1".to_string(), String::new()]]);
        assert!(read_csv("a,b\n1,2,3\n").is_err());
        assert!(read_csv("a,b\n\"open,2\n").is_err());
        assert!(read_csv("a,b\nx\"y,2\n").is_err());
        assert!(read_csv("").is_err());
    }

    #[test]
    fn date_formats() {
        let at = |h, m, s| Utc.with_ymd_and_hms(2022, 9, 10, h, m, s).single();
        assert_eq!(
            parse_devlake_date("2022-09-10T06:51:47.000+00:00").expect("date"),
            at(6, 51, 47)
        );
        assert_eq!(
            parse_devlake_date("2022-09-10T08:51:47.000+02:00").expect("date"),
            at(6, 51, 47)
        );
        assert_eq!(
            parse_devlake_date("2022-09-10 06:51:47").expect("date"),
            at(6, 51, 47)
        );
        assert_eq!(
            parse_devlake_date("2022-09-10 6:51:47").expect("date"),
            at(6, 51, 47)
        );
        assert_eq!(parse_devlake_date("").expect("empty"), None);
        assert!(parse_devlake_date("yesterday").is_err());
        let ms = parse_devlake_date("2022-03-07T08:27:38.364+00:00")
            .expect("date")
            .expect("some");
        assert_eq!(ms.timestamp_subsec_millis(), 364);
    }
}
