//! The desktop shell. Each command is a thin adapter: take arguments and state, call one api
//! function, return its DTO or its `{kind, message}` error. Commands run off the main thread.

use std::path::PathBuf;

use chrono::Utc;
use hindsight_api::{
    AnalyticsDto, DetectedFileDto, PolicyRuleDto, SettingsDto, SettingsUpdate, WhatIfDto,
};
use hindsight_api::{AnnotationInputDto, IncidentTimelineDto};
use hindsight_api::{
    ApiError, ChangeDto, EventFacetsDto, EventHistogramDto, EventPageDto, EventQueryDto, Hindsight,
    IncidentDetailDto, IncidentSummaryDto, IngestOptions, IngestProgressDto, IngestReportDto,
    IngestRunDto, ReportFormat, ReportOutput, ReportScope, StoreOverviewDto,
};
use hindsight_api::{IncidentCauseDto, IncidentGroupDto};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;

/// The workspace the window shows, or why it could not be opened.
struct AppState {
    app: Result<Hindsight, (hindsight_api::ApiErrorKind, String)>,
    /// Set by `cancel_ingest` to stop the ingest under way.
    cancel: Arc<AtomicBool>,
}

impl AppState {
    fn app(&self) -> Result<&Hindsight, ApiError> {
        self.app.as_ref().map_err(|(kind, message)| match kind {
            hindsight_api::ApiErrorKind::BadInput => ApiError::BadInput(message.clone()),
            _ => ApiError::Internal(message.clone()),
        })
    }
}

#[tauri::command(async)]
fn store_overview(state: State<'_, AppState>) -> Result<StoreOverviewDto, ApiError> {
    state.app()?.overview()
}

#[tauri::command(async)]
fn list_incidents(state: State<'_, AppState>) -> Result<Vec<IncidentSummaryDto>, ApiError> {
    state.app()?.list_incidents()
}

#[tauri::command(async)]
fn get_incident(state: State<'_, AppState>, id: i64) -> Result<IncidentDetailDto, ApiError> {
    state.app()?.incident_detail(id)
}

#[tauri::command(async)]
fn list_changes(state: State<'_, AppState>) -> Result<Vec<ChangeDto>, ApiError> {
    state.app()?.list_changes()
}

#[tauri::command(async)]
fn review_link(
    state: State<'_, AppState>,
    link_id: i64,
    decision: String,
    reason: String,
) -> Result<IncidentDetailDto, ApiError> {
    state
        .app()?
        .review_link(link_id, &decision, &reason, &reviewer(), Utc::now())
}

#[tauri::command(async)]
fn override_attribution(
    state: State<'_, AppState>,
    change_id: i64,
    class_name: String,
    tool: Option<String>,
    reason: String,
) -> Result<ChangeDto, ApiError> {
    let app = state.app()?;
    app.override_attribution(
        change_id,
        &class_name,
        tool.as_deref(),
        &reason,
        &reviewer(),
        Utc::now(),
    )
}

#[tauri::command(async)]
fn clear_override(state: State<'_, AppState>, change_id: i64) -> Result<ChangeDto, ApiError> {
    state
        .app()?
        .clear_override(change_id, &reviewer(), Utc::now())
}

#[tauri::command(async)]
fn list_runs(state: State<'_, AppState>) -> Result<Vec<IngestRunDto>, ApiError> {
    state.app()?.list_runs()
}

/// Ingests the files the user picked in the native dialog; Rust reads them, not the webview.
/// Progress streams over `on_progress`; `cancel_ingest` stops it.
#[tauri::command(async)]
fn ingest_files(
    state: State<'_, AppState>,
    paths: Vec<String>,
    mapping_path: Option<String>,
    on_progress: Channel<IngestProgressDto>,
) -> Result<IngestReportDto, ApiError> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    state.cancel.store(false, Ordering::Relaxed);
    let mapping = match mapping_path {
        Some(path) => Some(hindsight_api::read_mapping_file(std::path::Path::new(
            &path,
        ))?),
        None => None,
    };
    let options = IngestOptions {
        format: None,
        now: Utc::now(),
        cancel: Some(state.cancel.clone()),
        mapping,
    };
    state.app()?.ingest_paths(&paths, &options, &mut |p| {
        // A closed window stops listening; the ingest goes on regardless.
        let _ = on_progress.send(p.clone());
    })
}

#[tauri::command]
fn cancel_ingest(state: State<'_, AppState>) {
    state.cancel.store(true, Ordering::Relaxed);
}

#[tauri::command(async)]
fn render_report(
    state: State<'_, AppState>,
    format: String,
    scope: Option<ReportScope>,
) -> Result<String, ApiError> {
    state.app()?.render_report_in(
        &scope.unwrap_or_default(),
        report_format(&format)?,
        Utc::now(),
    )
}

/// Writes the report to the path the user chose in the save dialog.
#[tauri::command(async)]
fn save_report(
    state: State<'_, AppState>,
    format: String,
    path: String,
    scope: Option<ReportScope>,
) -> Result<String, ApiError> {
    state.app()?.save_report_in(
        &scope.unwrap_or_default(),
        report_format(&format)?,
        std::path::Path::new(&path),
        Utc::now(),
    )?;
    Ok(path)
}

/// Writes the report in several formats (`all`, or names separated by commas) into the folder
/// the user chose, from one build of the report; answers the files written.
#[tauri::command(async)]
fn save_report_outputs(
    state: State<'_, AppState>,
    outputs: String,
    dir: String,
    scope: Option<ReportScope>,
) -> Result<Vec<String>, ApiError> {
    let written = state.app()?.save_report_outputs(
        &scope.unwrap_or_default(),
        &ReportOutput::parse_list(&outputs)?,
        std::path::Path::new(&dir),
        Utc::now(),
    )?;
    Ok(written.iter().map(|p| p.display().to_string()).collect())
}

#[tauri::command(async)]
fn search_events(
    state: State<'_, AppState>,
    query: EventQueryDto,
) -> Result<EventPageDto, ApiError> {
    state.app()?.search_events(&query)
}

#[tauri::command(async)]
fn event_histogram(
    state: State<'_, AppState>,
    query: EventQueryDto,
) -> Result<EventHistogramDto, ApiError> {
    state.app()?.event_histogram(&query)
}

#[tauri::command(async)]
fn event_facets(state: State<'_, AppState>) -> Result<EventFacetsDto, ApiError> {
    state.app()?.event_facets()
}

#[tauri::command(async)]
fn incident_timeline(
    state: State<'_, AppState>,
    incident_id: i64,
) -> Result<IncidentTimelineDto, ApiError> {
    state.app()?.incident_timeline(incident_id)
}

#[tauri::command(async)]
fn annotate_incident(
    state: State<'_, AppState>,
    incident_id: i64,
    input: AnnotationInputDto,
) -> Result<IncidentTimelineDto, ApiError> {
    state
        .app()?
        .annotate_incident(incident_id, &input, &reviewer(), Utc::now())
}

#[tauri::command(async)]
fn undo_annotation(
    state: State<'_, AppState>,
    incident_id: i64,
    edit_id: i64,
) -> Result<IncidentTimelineDto, ApiError> {
    state
        .app()?
        .undo_annotation(incident_id, edit_id, &reviewer(), Utc::now())
}

#[tauri::command(async)]
fn merge_incidents(
    state: State<'_, AppState>,
    a: i64,
    b: i64,
    reason: String,
) -> Result<Vec<IncidentGroupDto>, ApiError> {
    state
        .app()?
        .merge_incidents(a, b, &reason, &reviewer(), Utc::now())
}

#[tauri::command(async)]
fn split_incident(
    state: State<'_, AppState>,
    id: i64,
    reason: String,
) -> Result<Vec<IncidentGroupDto>, ApiError> {
    state
        .app()?
        .split_incident(id, &reason, &reviewer(), Utc::now())
}

#[tauri::command(async)]
fn undo_incident_grouping(
    state: State<'_, AppState>,
    id: i64,
) -> Result<Vec<IncidentGroupDto>, ApiError> {
    state
        .app()?
        .undo_incident_grouping(id, &reviewer(), Utc::now())
}

#[tauri::command(async)]
fn set_incident_cause(
    state: State<'_, AppState>,
    id: i64,
    decision: String,
    category: Option<String>,
    reason: String,
) -> Result<IncidentCauseDto, ApiError> {
    state.app()?.set_incident_cause(
        id,
        &decision,
        category.as_deref(),
        &reason,
        &reviewer(),
        Utc::now(),
    )
}

#[tauri::command(async)]
fn undo_incident_cause(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    state
        .app()?
        .undo_incident_cause(id, &reviewer(), Utc::now())
}

#[tauri::command(async)]
fn get_settings(state: State<'_, AppState>) -> Result<SettingsDto, ApiError> {
    state.app()?.settings()
}

#[tauri::command(async)]
fn update_settings(
    state: State<'_, AppState>,
    update: SettingsUpdate,
) -> Result<SettingsDto, ApiError> {
    state.app()?.update_settings(&update)
}

#[tauri::command(async)]
fn analytics(state: State<'_, AppState>) -> Result<AnalyticsDto, ApiError> {
    state.app()?.analytics()
}

#[tauri::command(async)]
fn simulate_policy(
    state: State<'_, AppState>,
    rules: Vec<PolicyRuleDto>,
) -> Result<Vec<WhatIfDto>, ApiError> {
    state.app()?.simulate_policy(&rules)
}

/// The files a drop or a pick expands to, with their detected formats; nothing is stored.
#[tauri::command(async)]
fn detect_files(paths: Vec<String>) -> Result<Vec<DetectedFileDto>, ApiError> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    Hindsight::detect_files(&paths)
}

fn report_format(name: &str) -> Result<ReportFormat, ApiError> {
    ReportFormat::parse(name).ok_or_else(|| {
        ApiError::BadInput(format!(
            "unknown report format {name:?}; use md, html, json or pdf"
        ))
    })
}

/// Who the decisions made in this window are recorded as.
fn reviewer() -> String {
    std::env::var("USER").unwrap_or_else(|_| "reviewer".to_owned())
}

/// Which database the window opens: `--db FILE` or `$HINDSIGHT_DB`, else the bundled demo
/// data set in its own database (loaded on first start; loading again changes nothing).
fn open_workspace() -> Result<Hindsight, ApiError> {
    let mut args = std::env::args().skip(1);
    let mut chosen: Option<PathBuf> = std::env::var_os("HINDSIGHT_DB").map(PathBuf::from);
    while let Some(arg) = args.next() {
        if arg == "--db" {
            chosen = args.next().map(PathBuf::from);
        } else if let Some(value) = arg.strip_prefix("--db=") {
            chosen = Some(PathBuf::from(value));
        }
    }
    match chosen {
        Some(path) => Hindsight::open(&path),
        None => {
            let app = Hindsight::open(&Hindsight::demo_db_path())?;
            app.load_demo(chrono::Utc::now())?;
            Ok(app)
        }
    }
}

/// Starts the desktop app.
pub fn run() {
    let app = open_workspace().map_err(|e| {
        eprintln!("hindsight: {e}");
        (e.kind(), e.to_string())
    });
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState {
            app,
            cancel: Arc::new(AtomicBool::new(false)),
        })
        .invoke_handler(tauri::generate_handler![
            store_overview,
            list_incidents,
            get_incident,
            list_changes,
            review_link,
            override_attribution,
            clear_override,
            list_runs,
            ingest_files,
            cancel_ingest,
            render_report,
            save_report,
            save_report_outputs,
            search_events,
            event_facets,
            event_histogram,
            incident_timeline,
            annotate_incident,
            undo_annotation,
            merge_incidents,
            split_incident,
            undo_incident_grouping,
            set_incident_cause,
            undo_incident_cause,
            get_settings,
            update_settings,
            analytics,
            simulate_policy,
            detect_files
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("hindsight: the window could not start: {error}");
        std::process::exit(1);
    }
}
