/**
 * Builds DOM nodes. Text is only ever set as text (never as HTML), so a message such as `<script>` shows as
 * characters and never runs.
 */
type Child = Node | string | false | null | undefined;
type Attributes = Record<string, string | boolean | EventListener | undefined>;

export function h<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[Tag] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((child): child is Node | string => Boolean(child)));
}

let nextId = 0;
/** A labelled input: the label's `for` names the input. */
export function field(label: string, input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement): HTMLElement {
  input.id ||= `field-${(nextId += 1)}`;
  return h('div', {}, h('label', { for: input.id }, label), input);
}

/** A checkbox with its label beside it. */
export function checkbox(label: string, input: HTMLInputElement): HTMLElement {
  input.type = 'checkbox';
  input.id ||= `field-${(nextId += 1)}`;
  return h('div', { class: 'check' }, input, h('label', { for: input.id }, label));
}
