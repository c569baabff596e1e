fn main() {
    // `tauri::generate_context!` embeds ui/dist; without it a fresh clone's
    // `cargo build` fails deep inside the macro with an error that names
    // neither the folder nor the fix. Say both, in one line.
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/index.html");
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.exists() {
        eprintln!(
            "error: the app's web UI is not built (ui/dist is missing): run `scripts/run` once, or `npm --prefix ui ci && npm --prefix ui run build`, then build again"
        );
        std::process::exit(1);
    }
    // Listing the app's commands makes Tauri generate `allow-<command>` permissions and
    // deny any command a capability does not grant (instead of allowing all of them).
    let manifest = tauri_build::AppManifest::new().commands(&[
        "config_diagnostics",
        "glance",
        "sparkline",
        "chart",
        "trail_page",
        "compliance",
        "plan_next",
        "measure",
        "apply_plan",
        "confirm",
        "history",
        "rollback",
        "rollback_last",
        "rotate",
        "get_preferences",
        "set_preferences",
        "open_dashboard",
        "open_window",
        "close_popover",
        "first_paint",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}
