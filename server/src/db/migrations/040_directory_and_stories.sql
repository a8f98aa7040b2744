-- The open directory and the showcase of good practice (server/src/routes/directory.ts, stories.ts).

-- What an organization chooses to show about itself. Nothing is listed until `public` is true.
create table organization_profiles (
  organization_id uuid primary key references organizations (id),
  public boolean not null default false,
  -- A mentor may be a person (an adult: the platform keeps no minor's data); a person's contact is
  -- shown only when they opt in.
  holder text not null default 'organization' check (holder in ('organization', 'person')),
  display_name text not null check (length(display_name) between 1 and 200),
  description localized_text,
  -- Slugs of categories of the organization's circuits, checked by the API.
  categories text[] not null default '{}',
  -- Languages spoken, as ISO 639 codes: it, en, sq, ar, uk…
  languages text[] not null default '{}',
  city text check (length(city) between 1 and 100),
  address text check (length(address) between 1 and 200),
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  website text check (website like 'https://%' and length(website) <= 300),
  contact_email text check (length(contact_email) between 3 and 254),
  show_contact boolean not null default false,
  updated_at timestamptz not null default now(),
  constraint a_place_has_a_city check (city is not null or (address is null and latitude is null)),
  constraint coordinates_come_in_pairs check ((latitude is null) = (longitude is null)),
  constraint a_person_opts_in_to_contact check (holder = 'organization' or contact_email is null or show_contact)
);

create index organization_profiles_public on organization_profiles (organization_id) where public;

-- A short story of good practice by a provider or a referrer, moderated by the circuit's operator.
create table stories (
  id uuid primary key,
  circuit_id uuid not null references circuits (id),
  author_id uuid not null references organizations (id),
  title localized_text not null,
  body localized_text not null,
  -- The photo's description for people who cannot see it; required before a photo is uploaded.
  photo_alt localized_text,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  -- Why the operator refused it, shown to the author.
  rejection_reason text check (length(rejection_reason) between 1 and 500),
  -- The numbers behind the story, computed from the author's data when it is published.
  numbers jsonb check (jsonb_typeof(numbers) = 'object'),
  reviewed_by uuid references organizations (id),
  reviewed_at timestamptz,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint rejected_stories_have_a_reason check ((status = 'rejected') = (rejection_reason is not null)),
  constraint published_stories_have_their_numbers check ((status = 'approved') = (published_at is not null and numbers is not null))
);

create index stories_by_author on stories (author_id, id);
create index stories_to_moderate on stories (circuit_id, status, id);
create index stories_published on stories (circuit_id, published_at desc, id desc) where status = 'approved';

-- Apart from the story, so lists never read the bytes.
create table story_photos (
  story_id uuid primary key references stories (id),
  content_type text not null check (content_type in ('image/jpeg', 'image/png', 'image/webp')),
  bytes bytea not null check (length(bytes) <= 2097152),
  width integer not null check (width between 1 and 20000),
  height integer not null check (height between 1 and 20000),
  -- SHA-256 of the bytes, hex: the ETag and the version in the photo's URL.
  digest text not null,
  uploaded_at timestamptz not null default now()
);
