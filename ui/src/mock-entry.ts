// The screenshot build's backend: the mock in a named scenario, with real charts that
// earshot-chart drew (docs/charts; dark ones from ui/scripts/mock-charts.sh), so the
// screenshots show what the app shows. Imported dynamically by main.ts only when
// window.__EARSHOT_MOCK__ is set, so the app never loads it.

import laptopForecast from "../../docs/charts/laptop-forecast.svg?raw";
import laptopRates from "../../docs/charts/laptop-rates-24h.svg?raw";
import laptopSoakOver from "../../docs/charts/laptop-soak-over-budget.svg?raw";
import laptopSoak from "../../docs/charts/laptop-soak-as-predicted.svg?raw";
import laptopSparkline from "../../docs/charts/laptop-sparkline-24h.svg?raw";
import tightForecast from "../../docs/charts/build-server-no-expiry-forecast.svg?raw";
import buildRatesHour from "../../docs/charts/build-server-rates-1h.svg?raw";
import buildRates from "../../docs/charts/build-server-rates-24h.svg?raw";
import buildSparkline from "../../docs/charts/build-server-sparkline-1h.svg?raw";
import tightForecastDark from "./backend/mock-charts/build-server-no-expiry-forecast-dark.svg?raw";
import buildRatesDark from "./backend/mock-charts/build-server-rates-24h-dark.svg?raw";
import laptopSoakOverDark from "./backend/mock-charts/laptop-soak-over-budget-dark.svg?raw";

import type { Backend } from "./backend";
import { MockBackend, scenario } from "./backend/mock";

export function screenshotBackend(name: string): Backend {
  // The healthy scenarios look like a laptop; the warning one like a busy build server.
  const busy = name === "warning";
  // The soak scenarios' step, as predicted or badly over budget (only the latter has a
  // dark drawing: a soak as predicted in dark mode shows the light one).
  const over = name === "soak-over" || name === "soak-tweak";
  const soak: Record<string, string> = over ? { soak: laptopSoakOver, "soak:dark": laptopSoakOverDark } : { soak: laptopSoak };
  return new MockBackend(
    scenario(
      name,
      busy
        ? {
            sparkline: buildSparkline,
            rates: buildRates,
            "rates:hour": buildRatesHour,
            "rates:dark": buildRatesDark,
            forecast: tightForecast,
            "forecast:dark": tightForecastDark,
          }
        : { sparkline: laptopSparkline, rates: laptopRates, "rates:hour": buildRatesHour, forecast: laptopForecast, ...soak },
    ),
  );
}
