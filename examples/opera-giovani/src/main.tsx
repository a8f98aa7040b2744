// "Opera giovani": the Teatro Cagnoni's Tosca page for young people, a small React app that uses the
// npm package instead of the script tag. The page's HTML says which server, key, offer and campaign.
import { configure, type RedeemedDetail, type SponsoredDetail } from '@mentoring/widgets';
import '@mentoring/widgets/redeem-voucher.js';
import '@mentoring/widgets/sponsor-seat.js';
import { StrictMode, useState, type DetailedHTMLProps, type HTMLAttributes } from 'react';
import { createRoot } from 'react-dom/client';

type Language = 'it' | 'en' | 'sq';

/** React 19 passes `on<event-name>` props of custom elements to addEventListener as they are. */
type WidgetProps<Detail> = DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement> & {
  lang?: Language;
  'onmentoring-error'?: (event: CustomEvent<{ code: string }>) => void;
} & Detail;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'mentoring-redeem-voucher': WidgetProps<{ offer: string; 'onmentoring-redeemed'?: (event: CustomEvent<RedeemedDetail>) => void }>;
      'mentoring-sponsor-seat': WidgetProps<{ campaign: string; 'onmentoring-sponsored'?: (event: CustomEvent<SponsoredDetail>) => void }>;
    }
  }
}

interface Settings {
  apiOrigin: string;
  publishableKey: string;
  offer: string;
  campaign: string;
}

const texts: Record<Language, { voucher: string; gift: string; bookings: string; none: string; seats: (n: number) => string; thanks: (name: string) => string }> = {
  it: {
    voucher: 'Ho un voucher',
    gift: 'Regalo un posto',
    bookings: 'Prenotati da questa pagina',
    none: 'Ancora nessun posto prenotato.',
    seats: (n) => (n === 1 ? '1 posto' : `${n} posti`),
    thanks: (name) => `Grazie${name === '' ? '' : `, ${name}`}: un ragazzo in più all'opera.`,
  },
  en: {
    voucher: 'I have a voucher',
    gift: 'I give a seat',
    bookings: 'Booked from this page',
    none: 'No seats booked yet.',
    seats: (n) => (n === 1 ? '1 seat' : `${n} seats`),
    thanks: (name) => `Thank you${name === '' ? '' : `, ${name}`}: one more young person at the opera.`,
  },
  sq: {
    voucher: 'Kam një kupon',
    gift: 'Dhuroj një vend',
    bookings: 'Të rezervuara nga kjo faqe',
    none: 'Ende asnjë vend i rezervuar.',
    seats: (n) => (n === 1 ? '1 vend' : `${n} vende`),
    thanks: (name) => `Faleminderit${name === '' ? '' : `, ${name}`}: një i ri më shumë në opera.`,
  },
};

const languageNames: Record<Language, string> = { it: 'Italiano', en: 'English', sq: 'Shqip' };

function OperaGiovani({ settings }: { settings: Settings }) {
  const [tab, setTab] = useState<'voucher' | 'gift'>('voucher');
  const [language, setLanguage] = useState<Language>('it');
  const [bookings, setBookings] = useState<RedeemedDetail['redemption'][]>([]);
  const [thanks, setThanks] = useState<string | undefined>();
  const t = texts[language];

  return (
    <div className="app" lang={language}>
      <div className="toolbar">
        <div className="choices" role="group" aria-label="Tosca">
          {(['voucher', 'gift'] as const).map((name) => (
            <button key={name} type="button" aria-pressed={tab === name} onClick={() => setTab(name)}>
              {name === 'voucher' ? t.voucher : t.gift}
            </button>
          ))}
        </div>
        <label className="language">
          <span>Lingua · Language · Gjuha</span>
          <select value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
            {(Object.keys(languageNames) as Language[]).map((code) => (
              <option key={code} value={code} lang={code}>
                {languageNames[code]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {tab === 'voucher' ? (
        <div className="panel">
          <mentoring-redeem-voucher
            offer={settings.offer}
            lang={language}
            onmentoring-redeemed={(event) => setBookings((list) => [...list, event.detail.redemption])}
          />
          <section className="bookings" aria-labelledby="bookings-title">
            <h2 id="bookings-title">{t.bookings}</h2>
            {bookings.length === 0 ? (
              <p>{t.none}</p>
            ) : (
              <ul>
                {bookings.map((booking) => (
                  <li key={booking.id}>
                    <strong>{booking.booking_reference}</strong> · {t.seats(booking.seats)}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      ) : (
        <div className="panel">
          {thanks === undefined ? null : (
            <p className="thanks" role="status">
              {thanks}
            </p>
          )}
          <mentoring-sponsor-seat
            campaign={settings.campaign}
            lang={language}
            onmentoring-sponsored={(event) => setThanks(t.thanks(event.detail.sponsorship.display_name ?? ''))}
          />
        </div>
      )}
    </div>
  );
}

const root = document.getElementById('opera-giovani')!;
const settings: Settings = {
  apiOrigin: root.dataset['apiOrigin']!,
  publishableKey: root.dataset['key']!,
  offer: root.dataset['offer']!,
  campaign: root.dataset['campaign']!,
};
configure({ apiOrigin: settings.apiOrigin, publishableKey: settings.publishableKey });
createRoot(root).render(
  <StrictMode>
    <OperaGiovani settings={settings} />
  </StrictMode>,
);
