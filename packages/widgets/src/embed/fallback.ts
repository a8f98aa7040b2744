/** The widgets the script tag can load, as `<mentoring-NAME>` or `<div data-mentoring="NAME">`. */
export const componentNames = ['redeem-voucher', 'sponsor-seat', 'circuit-badge', 'needs-board', 'directory', 'stories'];

/**
 * Replaces a `<div data-mentoring="redeem-voucher" data-offer="…">`, which CMS editors keep where
 * they strip unknown tags, by the element itself: each `data-x` becomes attribute `x`; `id`,
 * `class` and `lang` stay.
 */
export function upgradeFallback(fallback: HTMLElement): void {
  const name = fallback.dataset['mentoring'] ?? '';
  if (!componentNames.includes(name)) {
    console.error(`Mentoring: data-mentoring="${name}" is not a widget; use one of ${componentNames.join(', ')}.`);
    fallback.removeAttribute('data-mentoring');
    return;
  }
  const element = document.createElement(`mentoring-${name}`);
  for (const { name: attribute, value } of fallback.attributes) {
    if (attribute.startsWith('data-') && attribute !== 'data-mentoring') element.setAttribute(attribute.slice(5), value);
    else if (['id', 'class', 'lang'].includes(attribute)) element.setAttribute(attribute, value);
  }
  fallback.replaceWith(element);
}
