/**
 * k6/html's Selection and Element: `parseHTML(text)` gives a Selection with k6 v0.47's methods, on cheerio (a
 * well-kept jQuery-like library over a standards parser, parse5). Every value a method hands the
 * script is plain: Selections and Elements of this module, strings, numbers, arrays and objects;
 * cheerio's own objects stay inside them.
 */
import { type Cheerio, type CheerioAPI, load } from 'cheerio';
import type { AnyNode, Element as DomElement } from 'domhandler';

type Selector = string | Selection | Element;
type Matcher = string | Selection | ((index: number, sel: Selection) => unknown);

/** k6's Element: a node's DOM-like fields (what `each` and `get` hand the script). */
export class Element {
  /** @internal */
  constructor(
    private readonly $: CheerioAPI,
    /** @internal */ readonly node: AnyNode,
  ) {}
  get #sel() {
    return this.$(this.node);
  }
  get nodeName(): string {
    return 'name' in this.node
      ? String(this.node.name)
      : this.node.type === 'text'
        ? '#text'
        : `#${this.node.type}`;
  }
  get nodeType(): number {
    return this.node.nodeType;
  }
  get nodeValue(): string | undefined {
    return this.node.type === 'text' || this.node.type === 'comment'
      ? (this.node as { data: string }).data
      : undefined;
  }
  get id(): string {
    return this.#sel.attr('id') ?? '';
  }
  get className(): string {
    return this.#sel.attr('class') ?? '';
  }
  get classList(): string[] {
    return this.className.split(/\s+/).filter(Boolean);
  }
  get textContent(): string {
    return this.#sel.text();
  }
  get innerHTML(): string {
    return this.#sel.html() ?? '';
  }
  getAttribute(name: string): string | undefined {
    return this.#sel.attr(name);
  }
  hasAttribute(name: string): boolean {
    return this.#sel.attr(name) !== undefined;
  }
  hasAttributes(): boolean {
    return Object.keys((this.node as DomElement).attribs ?? {}).length > 0;
  }
  /** Name → `{ name, value }`, as k6 gives an element's attributes. */
  attributes(): Record<string, { name: string; value: string }> {
    const out: Record<string, { name: string; value: string }> = {};
    for (const [name, value] of Object.entries((this.node as DomElement).attribs ?? {}))
      out[name] = { name, value };
    return out;
  }
  /** This element as a Selection. */
  selection(): Selection {
    return new Selection(this.$, this.#sel);
  }
  toString(): string {
    return `[object html.${this.nodeName.toUpperCase()}Element]`;
  }
}

/** k6's Selection over a cheerio selection. */
export class Selection {
  /** @internal */
  constructor(
    private readonly $: CheerioAPI,
    /** @internal */ readonly sel: Cheerio<AnyNode>,
    private readonly previous?: Selection,
  ) {}

  #wrap(sel: Cheerio<AnyNode>): Selection {
    return new Selection(this.$, sel, this);
  }
  #raw(arg: Selector): string | Cheerio<AnyNode> | AnyNode {
    if (typeof arg === 'string') return arg;
    if (arg instanceof Selection) return arg.sel;
    if (arg instanceof Element) return arg.node;
    throw new TypeError(`k6/html: invalid argument, cannot use a ${typeof arg} as a selector`);
  }
  #matcher(what: string, m: Matcher): string | Cheerio<AnyNode> | ((i: number, el: AnyNode) => boolean) {
    if (typeof m === 'string') return m;
    if (m instanceof Selection) return m.sel;
    if (typeof m !== 'function')
      throw new TypeError(`k6/html: the argument to ${what}() must be a function, a selector or a selection`);
    return (i, el) => Boolean(m(i, new Selection(this.$, this.$(el))));
  }

  find(selector: Selector): Selection {
    return this.#wrap(this.sel.find(this.#raw(selector) as string));
  }
  add(selector: Selector): Selection {
    return this.#wrap(this.sel.add(this.#raw(selector) as string));
  }
  closest(selector: Selector): Selection {
    return this.#wrap(this.sel.closest(this.#raw(selector) as string));
  }
  has(selector: Selector): Selection {
    return this.#wrap(this.sel.has(this.#raw(selector) as string));
  }
  not(m: Matcher): Selection {
    return this.#wrap(this.sel.not(this.#matcher('not', m) as string));
  }
  filter(m: Matcher): Selection {
    return this.#wrap(this.sel.filter(this.#matcher('filter', m) as string));
  }
  is(m: Matcher): boolean {
    return this.sel.is(this.#matcher('is', m) as string);
  }
  children(selector?: string): Selection {
    return this.#wrap(this.sel.children(selector));
  }
  contents(): Selection {
    return this.#wrap(this.sel.contents());
  }
  next(selector?: string): Selection {
    return this.#wrap(this.sel.next(selector));
  }
  nextAll(selector?: string): Selection {
    return this.#wrap(this.sel.nextAll(selector));
  }
  prev(selector?: string): Selection {
    return this.#wrap(this.sel.prev(selector));
  }
  prevAll(selector?: string): Selection {
    return this.#wrap(this.sel.prevAll(selector));
  }
  parent(selector?: string): Selection {
    return this.#wrap(this.sel.parent(selector));
  }
  parents(selector?: string): Selection {
    return this.#wrap(this.sel.parents(selector));
  }
  siblings(selector?: string): Selection {
    return this.#wrap(this.sel.siblings(selector));
  }
  nextUntil(until?: Selector, filter?: string): Selection {
    return this.#wrap(
      this.sel.nextUntil(until === undefined ? undefined : (this.#raw(until) as string), filter),
    );
  }
  prevUntil(until?: Selector, filter?: string): Selection {
    return this.#wrap(
      this.sel.prevUntil(until === undefined ? undefined : (this.#raw(until) as string), filter),
    );
  }
  parentsUntil(until?: Selector, filter?: string): Selection {
    return this.#wrap(
      this.sel.parentsUntil(until === undefined ? undefined : (this.#raw(until) as string), filter),
    );
  }
  size(): number {
    return this.sel.length;
  }
  end(): Selection {
    return this.previous ?? this.#wrap(this.$([]));
  }
  eq(index: number): Selection {
    return this.#wrap(this.sel.eq(index));
  }
  first(): Selection {
    return this.#wrap(this.sel.first());
  }
  last(): Selection {
    return this.#wrap(this.sel.last());
  }
  slice(start: number, end?: number): Selection {
    return this.#wrap(this.sel.slice(start, end));
  }
  text(): string {
    return this.sel.text();
  }
  /** The attribute of the first element, or `fallback` (undefined) when it has none. */
  attr(name: string, fallback?: unknown): unknown {
    const v = this.sel.first().attr(name);
    return v === undefined ? fallback : v;
  }
  /** The first element's inner HTML, undefined for an empty selection. */
  html(): string | undefined {
    return this.sel.length ? (this.sel.first().html() ?? undefined) : undefined;
  }
  /** A form field's value as k6 reads it (input, button, textarea, option, select). */
  val(): unknown {
    const first = this.sel.first();
    const node = first.get(0) as DomElement | undefined;
    const name = node?.name;
    const valueOrHtml = (s: Cheerio<AnyNode>) => s.attr('value') ?? s.html() ?? '';
    switch (name) {
      case 'input': {
        const v = first.attr('value');
        if (v !== undefined) return v;
        const type = first.attr('type');
        return type === 'radio' || type === 'checkbox' ? 'on' : '';
      }
      case 'button':
        return first.attr('value') ?? '';
      case 'textarea':
        return first.html() ?? undefined;
      case 'option':
        return valueOrHtml(first);
      case 'select': {
        const selected = first.find('option[selected]');
        if (first.attr('multiple') !== undefined)
          return selected.toArray().map((o) => valueOrHtml(this.$(o)));
        return valueOrHtml(selected.first());
      }
      default:
        return undefined;
    }
  }
  /** `data-*` attributes of the first element: one by its camelCase name, or all of them. */
  data(key?: string): unknown {
    if (!this.sel.length) return undefined;
    return key === undefined ? { ...(this.sel.first().data() as object) } : this.sel.first().data(key);
  }
  each(fn: (index: number, element: Element) => unknown): Selection {
    if (typeof fn !== 'function') throw new TypeError('k6/html: the argument to each() must be a function');
    this.sel.toArray().forEach((node, i) => {
      fn(i, new Element(this.$, node));
    });
    return this;
  }
  map(fn: (index: number, sel: Selection) => unknown): unknown[] {
    if (typeof fn !== 'function') throw new TypeError('k6/html: the argument to map() must be a function');
    return this.sel.toArray().map((node, i) => fn(i, new Selection(this.$, this.$(node))));
  }
  /** Every element (no argument), or the one at `index` (negative from the end), as Elements. */
  get(index?: number): Element | Element[] | undefined {
    const nodes = this.sel.toArray();
    if (index === undefined) return nodes.map((n) => new Element(this.$, n));
    if (index >= nodes.length || index <= -nodes.length) return undefined;
    const node = nodes.at(index);
    return node ? new Element(this.$, node) : undefined;
  }
  toArray(): Selection[] {
    return this.sel.toArray().map((n) => new Selection(this.$, this.$(n)));
  }
  index(of?: Selector): number {
    if (of === undefined) return this.sel.index();
    return this.sel.index(this.#raw(of) as string);
  }
  /** A form's fields as `a=1&b=2`. */
  serialize(): string {
    return this.sel.serialize();
  }
  serializeArray(): { name: string; value: string }[] {
    return this.sel.serializeArray().map(({ name, value }) => ({ name, value }));
  }
  /** A form's fields as an object: a name given more than once maps to the list of its values. */
  serializeObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const { name, value } of this.serializeArray()) {
      const had = out[name];
      out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    return out;
  }
}

/** The document `text` holds, as a Selection of its root. */
export function parseHTML(text: string): Selection {
  const $ = load(String(text ?? ''));
  return new Selection($, $.root());
}
