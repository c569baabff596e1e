// Included by build.rs (`include!`) and, for its test, by the app (`#[path]`):
// `tauri::generate_context!` embeds ui/dist, and without it a fresh clone's
// `cargo build` failed deep inside the macro with an error that named neither
// the folder nor the fix. The build now stops with this one line instead.

/// The one line a build prints when the web UI under `manifest_dir/../ui` is
/// not built, or `None` when it is.
pub fn missing_ui_dist(manifest_dir: &std::path::Path) -> Option<String> {
    let index = manifest_dir.join("../ui/dist/index.html");
    (!index.exists()).then(|| {
        "error: the app's web UI is not built (ui/dist is missing): run `scripts/run` once, \
         or `npm --prefix ui ci && npm --prefix ui run build`, then build again"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::missing_ui_dist;

    #[test]
    fn a_missing_ui_dist_is_one_line_naming_the_fix() {
        let root = tempfile::tempdir().unwrap();
        let app = root.path().join("src-tauri");
        std::fs::create_dir_all(&app).unwrap();
        let line = missing_ui_dist(&app).expect("ui/dist is missing");
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.contains("ui/dist") && line.contains("scripts/run"),
            "{line}"
        );
        std::fs::create_dir_all(root.path().join("ui/dist")).unwrap();
        std::fs::write(root.path().join("ui/dist/index.html"), "<html></html>").unwrap();
        assert_eq!(missing_ui_dist(&app), None);
    }
}
