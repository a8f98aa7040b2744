// The voucher form in the pupil's language: Italian, English or Albanian. The widget follows its
// own `lang` attribute; `?lingua=sq` in a link from a school or an association picks it at once.
const widget = document.getElementById('voucher-locandiera');
const choices = document.querySelectorAll('input[name="lingua"]');

function choose(language) {
  widget.setAttribute('lang', language);
  for (const intro of document.querySelectorAll('[data-lingua]')) intro.hidden = intro.dataset.lingua !== language;
  for (const choice of choices) choice.checked = choice.value === language;
}

for (const choice of choices) choice.addEventListener('change', () => choose(choice.value));
const asked = new URLSearchParams(location.search).get('lingua');
if (asked === 'it' || asked === 'en' || asked === 'sq') choose(asked);
