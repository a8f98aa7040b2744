import { version } from './version.js';

/**
 * Defines a custom element unless the tag is taken. A page may load our script twice, or two
 * versions of it (a theme and a plugin each pasting the tag): the first definition wins and
 * the page keeps working, where `customElements.define` would throw.
 */
export function defineElement(tagName: string, element: CustomElementConstructor): void {
  const existing = customElements.get(tagName);
  if (existing === undefined) {
    customElements.define(tagName, element);
  } else if (existing !== element) {
    console.warn(`<${tagName}> is already defined on this page; Mentoring ${version} keeps the existing one.`);
  }
}
