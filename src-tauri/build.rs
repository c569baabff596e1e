include!("ui_dist.rs");

fn main() {
    // Read when the script runs, not when it was compiled: cargo reuses a
    // compiled build script from a shared target folder for a checkout in
    // another place (CI's clone and a developer's share the cache), and the
    // compile-time path would name the other checkout's ui/dist.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| ".".into());
    let manifest = std::path::Path::new(&manifest_dir);
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("../ui/dist/index.html").display()
    );
    if let Some(line) = missing_ui_dist(manifest) {
        eprintln!("{line}");
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
        "review_step",
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
