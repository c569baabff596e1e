/// <reference types="vitest/config" />
import { defineConfig } from "vite";

export default defineConfig({
  // Tauri serves dist/ from its own scheme; relative URLs work there and in tests.
  base: "./",
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    // The mock (screenshots, tests) shows the example charts of docs/charts.
    fs: { allow: [".", "../docs/charts"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ on Linux, Safari 16+ (macOS 13+) on the Mac.
    target: ["es2022", "safari16"],
    // Strict CSP: no inline module-preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      // Two pages: the popover (opened most, kept small) and every other window.
      input: { index: "index.html", popover: "popover.html" },
    },
  },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts"],
  },
});
