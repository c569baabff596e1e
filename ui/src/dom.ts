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
