fn main() {
    // Listing the app's commands makes Tauri generate `allow-<command>` permissions and
    // deny any command a capability does not grant (instead of allowing all of them).
    let manifest = tauri_build::AppManifest::new().commands(&[
        "config_diagnostics",
        "open_dashboard",
        "close_popover",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}
