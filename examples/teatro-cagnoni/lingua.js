// The voucher form (and the thank-you form after it) in the pupil's language: Italian, English or
// Albanian. The widgets follow their own `lang` attribute; `?lingua=sq` in a link from a school or an
// association picks it at once.
const widgets = [document.getElementById('voucher-locandiera'), document.getElementById('grazie-locandiera')];
const choices = document.querySelectorAll('input[name="lingua"]');

function choose(language) {
  for (const widget of widgets) widget.setAttribute('lang', language);
  for (const intro of document.querySelectorAll('[data-lingua]')) intro.hidden = intro.dataset.lingua !== language;
  for (const choice of choices) choice.checked = choice.value === language;
}

for (const choice of choices) choice.addEventListener('change', () => choose(choice.value));
const asked = new URLSearchParams(location.search).get('lingua');
if (asked === 'it' || asked === 'en' || asked === 'sq') choose(asked);
