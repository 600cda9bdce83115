//! The desktop shell. Each command is a thin adapter: take arguments and state, call one api
//! function, return its DTO or its `{kind, message}` error. Commands run off the main thread.

use std::path::PathBuf;

use hindsight_api::{ApiError, Hindsight, IncidentDetailDto, IncidentSummaryDto, StoreOverviewDto};
use tauri::State;

/// The workspace the window shows, or why it could not be opened.
struct AppState {
    app: Result<Hindsight, (hindsight_api::ApiErrorKind, String)>,
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
        .manage(AppState { app })
        .invoke_handler(tauri::generate_handler![
            store_overview,
            list_incidents,
            get_incident
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("hindsight: the window could not start: {error}");
        std::process::exit(1);
    }
}
