import { invoke } from "@tauri-apps/api/core";

import type { Backend } from "./index";
import type { ConfigReport } from "./types";

// Command names match #[tauri::command] functions in src-tauri/src/main.rs and the
// permissions granted in src-tauri/capabilities/main.json.
export const tauriBackend: Backend = {
  configDiagnostics: () => invoke<ConfigReport>("config_diagnostics"),
  openDashboard: () => invoke<void>("open_dashboard"),
  closePopover: () => invoke<void>("close_popover"),
};
