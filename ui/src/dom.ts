// A tiny element builder: enough structure for a few screens without a framework.
// Text always goes through textContent, so file content shown on screen (messages
// quote the user's file) can never inject markup.

type Child = Node | string | null | undefined | false;

/**
 * Text in which `backquoted` spans (as the audit-control messages quote file content)
 * become <code> elements. Unpaired backquotes are left as they are.
 */
export function withCode(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const parts = text.split("`");
  if (parts.length % 2 === 0) {
    fragment.append(text);
    return fragment;
  }
  parts.forEach((part, i) => {
    if (i % 2 === 1) fragment.append(h("code", {}, part));
    else if (part) fragment.append(part);
  });
  return fragment;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

/** A button that runs `onClick`; `type=button` so it never submits a form by accident. */
export function button(
  label: string,
  attrs: Record<string, string>,
  onClick: (event: MouseEvent) => void,
): HTMLButtonElement {
  const b = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", onClick);
  return b;
}

/**
 * Parses SVG markup from the backend into an element. Charts come from our own Rust
 * code, but they embed class and folder names, so scripts, foreign objects, event
 * handler attributes and javascript: links are dropped before the SVG is adopted.
 */
export function svgFrom(markup: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg" || doc.getElementsByTagName("parsererror").length > 0) return null;
  for (const bad of Array.from(svg.querySelectorAll("script, foreignObject"))) bad.remove();
  for (const el of [svg, ...Array.from(svg.querySelectorAll("*"))]) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) el.removeAttribute(attr.name);
      else if (name.endsWith("href") && /^\s*javascript:/i.test(attr.value)) el.removeAttribute(attr.name);
    }
  }
  return document.importNode(svg, true) as unknown as SVGSVGElement;
}

/**
 * A chart from earshot-chart as the windows show it: scaled with the window (the
 * viewBox keeps the proportions), an image named by its own <title>. Null when the
 * markup is not SVG.
 */
export function chartSvg(markup: string, label: string): SVGSVGElement | null {
  const svg = svgFrom(markup);
  if (!svg) return null;
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", svg.querySelector("title")?.textContent ?? label);
  return svg;
}

/** A short state line for loading / empty / error placeholders. */
export function note(kind: "loading" | "empty" | "error", text: string, testid: string = kind): HTMLElement {
  return h("p", { class: `note note-${kind}`, "data-testid": testid, role: kind === "error" ? "alert" : "status" }, text);
}
