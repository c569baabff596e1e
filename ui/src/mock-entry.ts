// The screenshot build's backend: the mock in a named scenario, with the real example
// charts earshot-chart drew (docs/charts), so the screenshots show what the app shows.
// Imported dynamically by main.ts only when window.__EARSHOT_MOCK__ is set.

import ratesSvg from "../../docs/charts/build-server-rates-24h.svg?raw";
import forecastSvg from "../../docs/charts/build-server-no-expiry-forecast.svg?raw";
import laptopForecastSvg from "../../docs/charts/laptop-forecast.svg?raw";
import sparklineSvg from "../../docs/charts/laptop-sparkline-24h.svg?raw";
import busySparklineSvg from "../../docs/charts/build-server-sparkline-1h.svg?raw";

import type { Backend } from "./backend";
import { MockBackend, scenario } from "./backend/mock";

export function screenshotBackend(name: string): Backend {
  const busy = name === "warning";
  return new MockBackend(
    scenario(name, {
      sparkline: busy ? busySparklineSvg : sparklineSvg,
      rates: ratesSvg,
      forecast: busy ? forecastSvg : laptopForecastSvg,
    }),
  );
}
