import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Sql } from '../db/connection.js';
import { takesPartIn } from '../directory/membership.js';
import type { ApiEnv, Principal, Services } from '../http/context.js';
import { after, page, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { localizedText } from '../http/schemas.js';
import { Problem, type ProblemField } from '../problem.js';
import { notFoundUnlessValid, publicCircuit } from './public.js';

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a category slug, e.g. `theatre`').max(64);

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** An ISO 639 language code that names a language: it, en, sq, ar, uk… */
const languageCode = z
  .string()
  .regex(/^[a-z]{2,3}$/, 'a language is its ISO 639 code in lowercase, e.g. `sq`')
  .refine((code) => languageNames.of(code) !== undefined, 'not a known language code')
  .openapi({ example: 'sq' });

/** A public https address of a site: no user name or password in it, a real host name. */
const website = z
  .string()
  .trim()
  .max(300)
  .transform((text, context) => {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    const fine = url?.protocol === 'https:' && url.username === '' && url.password === '' && /^([a-z0-9-]+\.)+[a-z]{2,}$/.test(url.hostname);
    if (!fine) {
      context.addIssue({ code: 'custom', message: 'a website is an https:// address of a named host, e.g. https://www.teatrocagnoni.it' });
      return z.NEVER;
    }
    return url!.href;
  })
  .openapi({ type: 'string', format: 'uri', example: 'https://www.teatrocagnoni.it' });

const locationSchema = z
  .strictObject({
    city: z.string().trim().min(1).max(100),
    address: z.string().trim().min(1).max(200).nullable().default(null),
    latitude: z.number().min(-90).max(90).nullable().default(null),
    longitude: z.number().min(-180).max(180).nullable().default(null),
  })
  .refine((place) => (place.latitude === null) === (place.longitude === null), {
    message: 'give both latitude and longitude, or neither',
    path: ['latitude'],
  })
  .openapi('PlaceOnTheMap');

const profileInputSchema = z
  .strictObject({
    public: z.boolean().default(false).openapi({ description: 'Listed in the directory only when true.' }),
    holder: z
      .enum(['organization', 'person'])
      .default('organization')
      .openapi({ description: 'A mentor may be a person (an adult). A person\'s contact is shown only with `show_contact`.' }),
    display_name: z.string().trim().min(1).max(200).optional().openapi({ description: "Defaults to the organization's name." }),
    description: localizedText(300).nullable().default(null).openapi({ description: 'A short description, by language.' }),
    categories: z.array(slug).max(20).default([]).openapi({ description: "Slugs of categories of the organization's circuits." }),
    languages: z.array(languageCode).max(20).default([]).openapi({ description: 'Languages spoken, e.g. ["it", "sq"].' }),
    location: locationSchema.nullable().default(null),
    website: website.nullable().default(null),
    contact_email: z.email().max(254).nullable().default(null),
    show_contact: z.boolean().default(false).openapi({ description: "A person's consent to show their contact email." }),
  })
  .superRefine((profile, context) => {
    if (profile.holder === 'person' && profile.contact_email !== null && !profile.show_contact) {
      context.addIssue({
        code: 'custom',
        path: ['contact_email'],
        message: "a person's contact email is stored only when they choose to show it: set show_contact to true",
      });
    }
    if (new Set(profile.languages).size !== profile.languages.length) {
      context.addIssue({ code: 'custom', path: ['languages'], message: 'each language once' });
    }
    if (new Set(profile.categories).size !== profile.categories.length) {
      context.addIssue({ code: 'custom', path: ['categories'], message: 'each category once' });
    }
  })
  .openapi('ProfileUpdate');

/** What the directory shows of a profile, beside the contact. */
const shownFields = {
  display_name: z.string(),
  description: localizedText(300).nullable(),
  categories: z.array(z.string()),
  languages: z.array(z.string()),
  location: locationSchema.nullable(),
  website: z.string().nullable(),
};

const profileSchema = z
  .object({
    object: z.literal('profile'),
    organization_id: z.uuid(),
    kind: z.enum(['provider', 'mentor', 'referrer', 'operator']),
    public: z.boolean(),
    holder: z.enum(['organization', 'person']),
    ...shownFields,
    contact_email: z.string().nullable(),
    show_contact: z.boolean(),
    updated_at: z.iso.datetime().nullable().openapi({ description: 'Null until the organization first saves its profile.' }),
  })
  .openapi('Profile');

const directoryKinds = ['provider', 'referrer', 'mentor'] as const;

const directoryEntrySchema = z
  .object({
    id: z.uuid(),
    object: z.literal('directory_entry'),
    kind: z.enum(directoryKinds),
    ...shownFields,
    contact_email: z.string().nullable().openapi({ description: "An organization's contact; a person's only when they chose to show it." }),
  })
  .openapi('DirectoryEntry');

const directoryPageSchema = z
  .object({
    data: z.array(directoryEntrySchema),
    has_more: z.boolean(),
    circuit: z
      .object({
        id: z.uuid(),
        name: z.string(),
        categories: z.array(z.object({ slug: z.string(), name: localizedText(100) })),
        languages: z.array(z.string()).openapi({ description: 'Every language spoken in the public profiles of the circuit, for filters.' }),
      })
      .openapi({ description: 'The circuit, with what the filters may offer.' }),
  })
  .openapi('DirectoryPage');

const directoryQuery = pageQuery.extend({
  circuit: z.uuid().openapi({ description: 'The circuit whose directory this is.' }),
  kind: z.enum(directoryKinds).optional(),
  category: slug.optional(),
  language: z.string().regex(/^[a-z]{2,3}$/).optional(),
  q: z.string().trim().min(1).max(100).optional().openapi({ description: 'Words in the name or the description, in any language.' }),
});

interface ProfileRow {
  organization_id: string;
  kind: 'provider' | 'mentor' | 'referrer' | 'operator';
  name: string;
  public: boolean | null;
  holder: 'organization' | 'person' | null;
  display_name: string | null;
  description: { it: string; en?: string; sq?: string } | null;
  categories: string[] | null;
  languages: string[] | null;
  city: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  website: string | null;
  contact_email: string | null;
  show_contact: boolean | null;
  updated_at: Date | null;
}

type ProfileInput = z.infer<typeof profileInputSchema>;

/** Public profiles and the directory of a circuit built from them. */
export function directoryRoutes({ sql }: Services) {
  const app = apiRouter();

  const ownProfile = (c: Context<ApiEnv>) => {
    const own = requireAccess(principalOf(c), { organizations: ['provider', 'mentor', 'referrer'] });
    if (own === undefined) throw new Problem(403, 'forbidden', 'The admin key has no profile', 'Use /v1/organizations/{id}/profile.');
    return own.id;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/me/profile',
      tags: ['Directory'],
      summary: "The calling organization's public profile",
      description: 'Before it is first saved: not public, under the organization\'s name.',
      security: bearer,
      responses: { 200: jsonResponse(profileSchema, 'The profile'), ...problems(401, 403) },
    }),
    async (c) => c.json(profileJson(await profileOf(sql, ownProfile(c))), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/organizations/me/profile',
      tags: ['Directory'],
      summary: "Set the calling organization's public profile",
      description:
        'Replaces the whole profile. Nothing is listed in the directory until `public` is true. Categories must be ' +
        "categories of the organization's circuits; a person (a mentor) shows a contact email only with `show_contact`.",
      security: bearer,
      request: { body: jsonBody(profileInputSchema) },
      responses: { 200: jsonResponse(profileSchema, 'The saved profile'), ...problems(400, 401, 403) },
    }),
    async (c) => c.json(profileJson(await saveProfile(sql, ownProfile(c), c.req.valid('json'))), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{id}/profile',
      tags: ['Directory'],
      summary: "An organization's public profile, for its operator",
      security: bearer,
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonResponse(profileSchema, 'The profile'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const id = await managedId(sql, principalOf(c), c.req.valid('param').id);
      return c.json(profileJson(await profileOf(sql, id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/organizations/{id}/profile',
      tags: ['Directory'],
      summary: "Set an organization's public profile, as its operator",
      description: 'The operator that registered the organization (or the admin) may set its profile, with the same rules.',
      security: bearer,
      request: { params: z.object({ id: z.uuid() }), body: jsonBody(profileInputSchema) },
      responses: { 200: jsonResponse(profileSchema, 'The saved profile'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const id = await managedId(sql, principalOf(c), c.req.valid('param').id);
      return c.json(profileJson(await saveProfile(sql, id, c.req.valid('json'))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/public/directory',
      tags: ['Public'],
      summary: "A circuit's directory: the public profiles of its providers, referrers and mentors",
      description:
        'No key needed. Lists only profiles their organizations made public. Providers are those that joined the circuit, ' +
        'referrers those with an allocation in one of its pools or a need on its board, mentors those that funded one of its pools (a succeeded ' +
        'sponsorship of their own, or a gift made on their pages). Localized texts come whole, every language given.',
      request: { query: directoryQuery },
      responses: { 200: jsonResponse(directoryPageSchema, 'A page of the directory'), ...problems(400, 404) },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const circuit = await publicCircuit(sql, query.circuit);
      const listed = sql`p.public and o.kind in ('provider', 'referrer', 'mentor') and ${takesPartIn(sql, sql`o.id`, sql`o.kind`, circuit.id)}`;
      const words = query.q === undefined ? undefined : `%${query.q.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      const rows = await sql<ProfileRow[]>`
        select ${profileColumns(sql)}
        from organization_profiles p join organizations o on o.id = p.organization_id
        where ${listed} and o.id > ${after(query)}
          ${query.kind === undefined ? sql`` : sql`and o.kind = ${query.kind}`}
          ${query.category === undefined ? sql`` : sql`and ${query.category} = any (p.categories)`}
          ${query.language === undefined ? sql`` : sql`and ${query.language} = any (p.languages)`}
          ${words === undefined ? sql`` : sql`and (p.display_name ilike ${words}
                or exists (select 1 from jsonb_each_text(p.description) as text where text.value ilike ${words}))`}
        order by o.id limit ${query.limit + 1}`;
      const [spoken] = await sql<{ languages: string[] }[]>`
        select coalesce(array_agg(distinct language order by language), '{}') as languages
        from organization_profiles p join organizations o on o.id = p.organization_id, unnest(p.languages) as language
        where ${listed}`;
      return c.json(
        {
          ...page(rows.map(directoryEntryJson), query.limit),
          circuit: { id: circuit.id, name: circuit.name, categories: circuit.categories, languages: spoken!.languages },
        },
        200,
      );
    },
    notFoundUnlessValid('No such directory', 'Give the circuit as `?circuit=<uuid>`, as in the `circuit` attribute of the widget.'),
  );

  return app;
}

/** A {@link ProfileRow} from `organizations o` and `organization_profiles p`. */
function profileColumns(sql: Sql) {
  return sql`o.id as organization_id, o.kind, o.name, p.public, p.holder, p.display_name, p.description, p.categories,
    p.languages, p.city, p.address, p.latitude, p.longitude, p.website, p.contact_email, p.show_contact, p.updated_at`;
}

/** The organization's profile, or what it would be before it is first saved. */
async function profileOf(sql: Sql, organizationId: string): Promise<ProfileRow> {
  const [row] = await sql<ProfileRow[]>`
    select ${profileColumns(sql)} from organizations o left join organization_profiles p on p.organization_id = o.id
    where o.id = ${organizationId}`;
  return row!;
}

async function saveProfile(sql: Sql, organizationId: string, profile: ProfileInput): Promise<ProfileRow> {
  const organization = await profileOf(sql, organizationId);
  const errors: ProblemField[] = [];
  if (profile.holder === 'person' && organization.kind !== 'mentor') {
    errors.push({ path: 'holder', message: 'only a mentor may be a person; providers and referrers are organizations' });
  }
  const [known] = await sql<{ slugs: string[] }[]>`
    select coalesce(array_agg(distinct category ->> 'slug'), '{}') as slugs
    from circuits c, jsonb_array_elements(c.categories) as category
    where ${takesPartIn(sql, organizationId, organization.kind, sql`c.id`)}`;
  profile.categories.forEach((category, index) => {
    if (!known!.slugs.includes(category)) {
      errors.push({ path: `categories.${index}`, message: `no circuit of yours has the category "${category}"` });
    }
  });
  if (errors.length > 0) {
    throw new Problem(400, 'invalid_request', 'Invalid request', `Check these fields: ${errors.map((error) => error.path).join(', ')}.`, errors);
  }
  const place = profile.location;
  await sql`
    insert into organization_profiles (organization_id, public, holder, display_name, description, categories, languages,
                                       city, address, latitude, longitude, website, contact_email, show_contact)
    values (${organizationId}, ${profile.public}, ${profile.holder}, ${profile.display_name ?? organization.name},
            ${profile.description === null ? null : sql.json(profile.description)}, ${profile.categories}, ${profile.languages},
            ${place?.city ?? null}, ${place?.address ?? null}, ${place?.latitude ?? null}, ${place?.longitude ?? null},
            ${profile.website}, ${profile.contact_email}, ${profile.show_contact})
    on conflict (organization_id) do update set
      public = excluded.public, holder = excluded.holder, display_name = excluded.display_name,
      description = excluded.description, categories = excluded.categories, languages = excluded.languages,
      city = excluded.city, address = excluded.address, latitude = excluded.latitude, longitude = excluded.longitude,
      website = excluded.website, contact_email = excluded.contact_email, show_contact = excluded.show_contact,
      updated_at = now()`;
  return profileOf(sql, organizationId);
}

/** The organization `id`, if the caller may set its profile: the admin any, an operator those it registered. */
async function managedId(sql: Sql, principal: Principal, id: string): Promise<string> {
  const operator = requireAccess(principal, { organizations: ['operator'] });
  const [row] = await sql<{ id: string }[]>`
    select id from organizations where id = ${id} ${operator === undefined ? sql`` : sql`and managed_by = ${operator.id}`}`;
  if (row === undefined) throw new Problem(404, 'not_found', 'No such organization', `No organization ${id} that you manage.`);
  return row.id;
}

function locationJson(row: ProfileRow) {
  return row.city === null ? null : { city: row.city, address: row.address, latitude: row.latitude, longitude: row.longitude };
}

function profileJson(row: ProfileRow) {
  return {
    object: 'profile' as const,
    organization_id: row.organization_id,
    kind: row.kind,
    public: row.public ?? false,
    holder: row.holder ?? 'organization',
    display_name: row.display_name ?? row.name,
    description: row.description,
    categories: row.categories ?? [],
    languages: row.languages ?? [],
    location: locationJson(row),
    website: row.website,
    contact_email: row.contact_email,
    show_contact: row.show_contact ?? false,
    updated_at: row.updated_at?.toISOString() ?? null,
  };
}

function directoryEntryJson(row: ProfileRow) {
  return {
    id: row.organization_id,
    object: 'directory_entry' as const,
    kind: row.kind as (typeof directoryKinds)[number],
    display_name: row.display_name!,
    description: row.description,
    categories: row.categories!,
    languages: row.languages!,
    location: locationJson(row),
    website: row.website,
    contact_email: row.holder === 'person' && !row.show_contact ? null : row.contact_email,
  };
}
