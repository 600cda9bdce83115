fn main() {
    // Every app command gets an allow-/deny- permission; capabilities/default.json grants
    // only the ones the UI uses, so a command added here is denied until granted there.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "store_overview",
        "list_incidents",
        "get_incident",
        "list_changes",
        "review_link",
        "override_attribution",
        "clear_override",
        "list_runs",
        "ingest_files",
        "cancel_ingest",
        "render_report",
        "save_report",
        "save_report_outputs",
        "search_events",
        "event_facets",
        "event_histogram",
        "incident_timeline",
        "annotate_incident",
        "undo_annotation",
        "merge_incidents",
        "split_incident",
        "undo_incident_grouping",
        "set_incident_cause",
        "undo_incident_cause",
        "get_settings",
        "update_settings",
        "analytics",
        "simulate_policy",
        "detect_files",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script failed");
}
