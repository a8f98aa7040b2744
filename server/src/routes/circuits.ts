import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Queryable, Sql } from '../db/connection.js';
import type { Organization, Principal, Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson, formatMoney, localizedText, minorUnits } from '../http/schemas.js';
import { newId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { Problem, type ProblemField } from '../problem.js';

const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a slug is lowercase letters, digits and single hyphens, e.g. `live-music`')
  .max(64);

const categorySchema = z.strictObject({ slug, name: localizedText(100) }).openapi('CircuitCategory');

const stepSchema = z
  .union([z.strictObject({ category: slug }), z.strictObject({ offer_id: z.uuid() })])
  .openapi('CircuitPathStep', { description: 'Any offer of a category of the circuit, or one offer of the circuit.' });

const bonusSchema = z
  .strictObject({
    amount: minorUnits.openapi({ description: 'In cents: the bonus voucher issued to a beneficiary who completes the path.' }),
    pool_id: z.uuid().openapi({ description: 'A pool of the circuit that pays it.' }),
    valid_days: z.number().int().min(1).max(730).default(365).openapi({ description: 'How long the bonus voucher lasts from the completion.' }),
  })
  .openapi('CircuitPathBonus', {
    description:
      'Issued once per beneficiary when the path is completed. If the pool lacks the money then, the bonus is pending ' +
      'until the referrer asks for its card with the pool funded.',
  });

const pathSchema = z
  .object({
    id: z.uuid(),
    name: localizedText(100),
    ordered: z.boolean(),
    steps: z.array(stepSchema),
    bonus: bonusSchema.nullable().optional(),
  })
  .openapi('CircuitPath');

const newPathSchema = z
  .strictObject({
    id: z.uuid().optional().openapi({ description: 'On update, the id of a path of the circuit to keep; new paths get one.' }),
    name: localizedText(100),
    ordered: z.boolean().default(false).openapi({ description: 'true: the steps are taken in this order.' }),
    steps: z.array(stepSchema).min(1).max(20),
    bonus: bonusSchema.nullable().optional().openapi({ description: 'A bonus voucher for completing the path; absent or null: none.' }),
  })
  .openapi('NewCircuitPath');

const categoriesInput = z
  .array(categorySchema)
  .min(1)
  .max(50)
  .refine((categories) => new Set(categories.map((category) => category.slug)).size === categories.length, 'category slugs must be unique');

const circuitSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('circuit'),
    operator_id: z.uuid(),
    name: z.string(),
    description: localizedText(2000).nullable(),
    currency: z.string(),
    general_pool_id: z.uuid().openapi({ description: "The circuit's general pool, created with it." }),
    categories: z.array(categorySchema),
    paths: z.array(pathSchema),
    created_at: z.iso.datetime(),
  })
  .openapi('Circuit');

const newCircuitSchema = z
  .strictObject({
    operator_id: z.uuid().optional().openapi({ description: 'With the admin key: the operator that runs the circuit.' }),
    name: z.string().trim().min(1).max(200),
    description: localizedText(2000).optional(),
    categories: categoriesInput,
    paths: z.array(newPathSchema).max(50).default([]),
  })
  .openapi('NewCircuit');

const circuitUpdateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: localizedText(2000).optional(),
    categories: categoriesInput.optional().openapi({ description: 'Replaces the categories; those of offers must stay.' }),
    paths: z.array(newPathSchema).max(50).optional().openapi({ description: 'Replaces the paths.' }),
  })
  .openapi('CircuitUpdate');

const membershipSchema = z
  .object({
    object: z.literal('circuit_provider'),
    circuit_id: z.uuid(),
    provider_id: z.uuid(),
    provider_name: z.string(),
    joined_at: z.iso.datetime(),
  })
  .openapi('CircuitProvider');

/** A circuit's general pool, a campaign's, a fund the operator made, a need's (the needs board). */
const poolKinds = ['general', 'campaign', 'fund', 'need'] as const;

const poolSchema = z
  .object({
    id: z.uuid().openapi({ description: "Also the id of the pool's ledger account." }),
    object: z.literal('pool'),
    circuit_id: z.uuid(),
    kind: z.enum(poolKinds),
    name: z.string(),
    currency: z.string(),
    balance: z.number().int().openapi({ description: 'In cents: funded, less issued as vouchers, plus what expired back.' }),
    available: z.number().int().openapi({ description: 'In cents: what can be issued now.' }),
    created_at: z.iso.datetime(),
  })
  .openapi('Pool');

const newPoolSchema = z.strictObject({ circuit_id: z.uuid(), name: z.string().trim().min(1).max(200) }).openapi('NewPool');

const allocationSchema = z
  .object({
    object: z.literal('allocation'),
    referrer_id: z.uuid(),
    pool_id: z.uuid(),
    circuit_id: z.uuid(),
    amount: z.number().int().openapi({ description: 'In cents: how much the referrer may issue from the pool in all.' }),
    issued: z.number().int().openapi({ description: 'In cents: issued as vouchers so far.' }),
    remaining: z.number().int().openapi({ description: 'In cents: amount − issued.' }),
    updated_at: z.iso.datetime(),
  })
  .openapi('Allocation');

const newAllocationSchema = z
  .strictObject({
    referrer_id: z.uuid(),
    pool_id: z.uuid(),
    amount: z.number().int().min(0).max(100_000_000_000).openapi({ description: 'In cents; 0 stops further issuing.' }),
  })
  .openapi('NewAllocation');

const allocationsQuery = pageQuery.extend({
  referrer_id: z.uuid().optional().openapi({ description: "Required with an operator's or the admin key; a referrer sees its own." }),
  starting_after: z.uuid().optional().openapi({ description: 'The pool_id of the last allocation of the previous page.' }),
});

type LocalizedText = z.infer<ReturnType<typeof localizedText>>;
type Category = z.infer<typeof categorySchema>;
type Step = z.infer<typeof stepSchema>;
type CircuitPath = z.infer<typeof pathSchema>;
type NewCircuitPath = z.infer<typeof newPathSchema>;

export interface CircuitRow {
  id: string;
  operator_id: string;
  name: string;
  description: LocalizedText | null;
  currency: string;
  general_pool_id: string;
  categories: Category[];
  paths: CircuitPath[];
  created_at: Date;
}

interface MembershipRow {
  circuit_id: string;
  provider_id: string;
  provider_name: string;
  joined_at: Date;
}

interface PoolRow {
  id: string;
  circuit_id: string;
  kind: (typeof poolKinds)[number];
  name: string;
  currency: string;
  created_at: Date;
}

interface AllocationRow {
  referrer_id: string;
  pool_id: string;
  circuit_id: string;
  amount: bigint;
  issued: bigint;
  updated_at: Date;
}

const idParam = z.object({ id: z.uuid() });

/** Circuits, their providers, pools and allocations. An operator runs its circuits; the admin any. */
export function circuitRoutes({ sql, ledger }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/circuits',
      tags: ['Circuits'],
      summary: 'Create a circuit',
      description:
        "An operator's secret key creates its own circuit; the admin key names the operator in `operator_id`. " +
        'The circuit gets its general pool (a ledger account) at once. Path steps name categories of the circuit; ' +
        'steps naming offers are added later with POST /v1/circuits/{id}, once the offers exist.',
      security: bearer,
      request: { body: jsonBody(newCircuitSchema) },
      responses: { 201: jsonResponse(circuitSchema, 'The new circuit'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const body = c.req.valid('json');
      const operatorId = await circuitOperator(sql, operator?.id, body.operator_id);
      const id = newId();
      const paths = await checkedPaths(sql, { id, categories: body.categories, paths: [] }, body.paths);
      const generalPoolId = newId();
      const row = await sql.begin(async (tx) => {
        const [circuit] = await tx<CircuitRow[]>`
          insert into circuits (id, operator_id, name, description, general_pool_id, categories, paths)
          values (${id}, ${operatorId}, ${body.name}, ${jsonb(body.description)}::text::jsonb, ${generalPoolId},
                  ${jsonb(body.categories)}::text::jsonb, ${jsonb(paths)}::text::jsonb)
          returning *`;
        await createPool(tx, ledger, { id: generalPoolId, circuitId: id, kind: 'general', name: `${body.name} general pool` });
        return circuit!;
      });
      return c.json(circuitJson(row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/circuits',
      tags: ['Circuits'],
      summary: 'List circuits',
      description:
        'An operator sees the circuits it runs, a provider those it belongs to, a referrer those it has allocations in; ' +
        'mentors and the admin see every circuit.',
      security: bearer,
      request: { query: pageQuery },
      responses: { 200: jsonResponse(pageOf(circuitSchema), 'A page of circuits'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const rows = await sql<CircuitRow[]>`
        select * from circuits
        where id > ${after(query)} and ${visibleCircuits(sql, principalOf(c))}
        order by id limit ${query.limit + 1}`;
      return c.json(page(rows.map(circuitJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/circuits/{id}',
      tags: ['Circuits'],
      summary: 'Retrieve a circuit',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(circuitSchema, 'The circuit'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const [row] = await sql<CircuitRow[]>`select * from circuits where id = ${id} and ${visibleCircuits(sql, principalOf(c))}`;
      if (row === undefined) throw noSuchCircuit(id);
      return c.json(circuitJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/circuits/{id}',
      tags: ['Circuits'],
      summary: 'Update a circuit (name, description, categories, paths)',
      description:
        'Categories and paths are replaced as a whole. A category that offers use cannot be removed; ' +
        'path steps may name offers of the circuit.',
      security: bearer,
      request: { params: idParam, body: jsonBody(circuitUpdateSchema) },
      responses: { 200: jsonResponse(circuitSchema, 'The updated circuit'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const circuit = await managedCircuit(sql, operator, c.req.valid('param').id);
      const body = c.req.valid('json');
      const categories = body.categories ?? circuit.categories;
      const row = await sql.begin(async (tx) => {
        // Offers are published holding a share lock on their circuit: none lands in a category being removed.
        await tx`select 1 from circuits where id = ${circuit.id} for update`;
        if (body.categories !== undefined) await keepCategoriesInUse(tx, circuit.id, categories);
        const paths = await checkedPaths(tx, { ...circuit, categories }, body.paths ?? circuit.paths);
        const [updated] = await tx<CircuitRow[]>`
          update circuits
          set name = ${body.name ?? circuit.name}, description = ${jsonb(body.description ?? circuit.description)}::text::jsonb,
              categories = ${jsonb(categories)}::text::jsonb, paths = ${jsonb(paths)}::text::jsonb
          where id = ${circuit.id} returning *`;
        return updated!;
      });
      return c.json(circuitJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/circuits/{id}/providers',
      tags: ['Circuits'],
      summary: 'Add a provider to a circuit',
      description:
        'The operator adds a provider it registered (the admin any provider). Only members offer seats in the circuit. ' +
        'Adding a member again changes nothing and answers 200.',
      security: bearer,
      request: { params: idParam, body: jsonBody(z.strictObject({ provider_id: z.uuid() }).openapi('NewCircuitProvider')) },
      responses: {
        200: jsonResponse(membershipSchema, 'The provider was already a member'),
        201: jsonResponse(membershipSchema, 'The provider is now a member'),
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const circuit = await managedCircuit(sql, operator, c.req.valid('param').id);
      const providerId = c.req.valid('json').provider_id;
      const [provider] = await sql<{ name: string }[]>`
        select name from organizations
        where id = ${providerId} and kind = 'provider' ${operator === undefined ? sql`` : sql`and managed_by = ${operator.id}`}`;
      if (provider === undefined) {
        throw new Problem(404, 'not_found', 'No such provider', `No provider ${providerId} that you registered.`);
      }
      const [added] = await sql<{ joined_at: Date }[]>`
        insert into circuit_providers (circuit_id, provider_id) values (${circuit.id}, ${providerId})
        on conflict do nothing returning joined_at`;
      const [membership] = await sql<MembershipRow[]>`
        select circuit_id, provider_id, ${provider.name} as provider_name, joined_at from circuit_providers
        where circuit_id = ${circuit.id} and provider_id = ${providerId}`;
      return c.json(membershipJson(membership!), added === undefined ? 200 : 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/circuits/{id}/providers',
      tags: ['Circuits'],
      summary: "List a circuit's providers",
      security: bearer,
      request: {
        params: idParam,
        query: pageQuery.extend({
          starting_after: z.uuid().optional().openapi({ description: 'The provider_id of the last member of the previous page.' }),
        }),
      },
      responses: { 200: jsonResponse(pageOf(membershipSchema), 'A page of members'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      const [circuit] = await sql<{ id: string }[]>`
        select id from circuits where id = ${id} and ${visibleCircuits(sql, principalOf(c))}`;
      if (circuit === undefined) throw noSuchCircuit(id);
      const rows = await sql<MembershipRow[]>`
        select m.circuit_id, m.provider_id, o.name as provider_name, m.joined_at
        from circuit_providers m join organizations o on o.id = m.provider_id
        where m.circuit_id = ${id} and m.provider_id > ${after(query)}
        order by m.provider_id limit ${query.limit + 1}`;
      return c.json(page(rows.map(membershipJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/pools',
      tags: ['Pools'],
      summary: 'Create a fund pool in a circuit',
      description: "The circuit's operator (or the admin) opens a pool beside the general one, e.g. a foundation's fund.",
      security: bearer,
      request: { body: jsonBody(newPoolSchema) },
      responses: { 201: jsonResponse(poolSchema, 'The new pool, empty'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const body = c.req.valid('json');
      const circuit = await managedCircuit(sql, operator, body.circuit_id);
      const pool = await sql.begin((tx) =>
        createPool(tx, ledger, { id: newId(), circuitId: circuit.id, kind: 'fund', name: body.name }),
      );
      return c.json(await poolJson(ledger, pool), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/pools/{id}',
      tags: ['Pools'],
      summary: 'Retrieve a pool and its figures',
      description: "The circuit's operator, the admin, and referrers with an allocation in the pool (secret or desk key) may see it.",
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(poolSchema, 'The pool, with its balance'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      // Desk keys exist only for providers and referrers: a referrer's desk sees the pools it issues from.
      const organization = requireAccess(principalOf(c), { organizations: ['operator', 'referrer'], keys: ['secret', 'desk'] });
      const [pool] = await sql<PoolRow[]>`
        select p.* from pools p join circuits c on c.id = p.circuit_id
        where p.id = ${id} ${
          organization === undefined
            ? sql``
            : organization.kind === 'operator'
              ? sql`and c.operator_id = ${organization.id}`
              : sql`and exists (select 1 from allocations a where a.pool_id = p.id and a.referrer_id = ${organization.id})`
        }`;
      if (pool === undefined) throw new Problem(404, 'not_found', 'No such pool', `No pool ${id} that you may see.`);
      return c.json(await poolJson(ledger, pool), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/allocations',
      tags: ['Pools'],
      summary: 'Set how much a referrer may issue from a pool',
      description:
        "The operator of the pool's circuit sets it for a referrer it registered (the admin for any referrer). " +
        'Setting it again replaces the amount; it cannot go below what the referrer has already issued.',
      security: bearer,
      request: { body: jsonBody(newAllocationSchema) },
      responses: { 200: jsonResponse(allocationSchema, 'The allocation as it now stands'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const body = c.req.valid('json');
      const [pool] = await sql<{ circuit_id: string; currency: string; kind: PoolRow['kind'] }[]>`
        select p.circuit_id, p.currency, p.kind from pools p join circuits c on c.id = p.circuit_id
        where p.id = ${body.pool_id} ${operator === undefined ? sql`` : sql`and c.operator_id = ${operator.id}`}`;
      if (pool === undefined) throw new Problem(404, 'not_found', 'No such pool', `No pool ${body.pool_id} in a circuit you operate.`);
      if (pool.kind === 'need') {
        // A need's money was given to one referrer for one need: it issues it from the need, never by allocation.
        throw new Problem(409, 'conflict', "A need's pool", "This pool holds what mentors gave to a referrer's need; only that referrer issues it, from the need.");
      }
      const [referrer] = await sql<{ name: string }[]>`
        select name from organizations
        where id = ${body.referrer_id} and kind = 'referrer' ${operator === undefined ? sql`` : sql`and managed_by = ${operator.id}`}`;
      if (referrer === undefined) {
        throw new Problem(404, 'not_found', 'No such referrer', `No referrer ${body.referrer_id} that you registered.`);
      }
      // The row lock of ON CONFLICT makes the check see issuing that committed meanwhile.
      const [row] = await sql<AllocationRow[]>`
        insert into allocations (referrer_id, pool_id, amount) values (${body.referrer_id}, ${body.pool_id}, ${body.amount})
        on conflict (referrer_id, pool_id) do update set amount = excluded.amount, updated_at = now()
          where allocations.issued <= excluded.amount
        returning *, ${pool.circuit_id}::uuid as circuit_id`;
      if (row === undefined) {
        const [current] = await sql<{ issued: bigint }[]>`
          select issued from allocations where referrer_id = ${body.referrer_id} and pool_id = ${body.pool_id}`;
        throw new Problem(
          409,
          'conflict',
          'Allocation below what was issued',
          `${referrer.name} has already issued ${formatMoney(current!.issued, pool.currency)} of vouchers from this pool; ` +
            'the allocation cannot be set below that.',
        );
      }
      return c.json(allocationJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/allocations',
      tags: ['Pools'],
      summary: "List a referrer's allocations",
      description:
        'A referrer sees its own (secret or desk key). An operator (with `referrer_id`) sees those in its circuits; the admin all of them.',
      security: bearer,
      request: { query: allocationsQuery },
      responses: { 200: jsonResponse(pageOf(allocationSchema), 'A page of allocations, by pool'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const organization = requireAccess(principalOf(c), { organizations: ['operator', 'referrer'], keys: ['secret', 'desk'] });
      const query = c.req.valid('query');
      const referrerId = organization?.kind === 'referrer' ? organization.id : query.referrer_id;
      if (referrerId === undefined) {
        throw new Problem(400, 'invalid_request', 'Which referrer?', 'Pass `referrer_id`: the referrer whose allocations to list.', [
          { path: 'referrer_id', message: 'required with this key' },
        ]);
      }
      const rows = await sql<AllocationRow[]>`
        select a.*, p.circuit_id from allocations a join pools p on p.id = a.pool_id join circuits c on c.id = p.circuit_id
        where a.referrer_id = ${referrerId} and a.pool_id > ${after(query)}
          ${organization?.kind === 'operator' ? sql`and c.operator_id = ${organization.id}` : sql``}
        order by a.pool_id limit ${query.limit + 1}`;
      return c.json(page(rows.map(allocationJson), query.limit), 200);
    },
  );

  return app;
}

/**
 * The circuits a caller may see, as a condition on `circuits`: the admin and mentors (who may fund
 * any) all, an operator its own, a provider those it belongs to, a referrer those it has allocations in.
 */
export function visibleCircuits(sql: Queryable, principal: Principal) {
  const organization = requireAccess(principal, { organizations: ['operator', 'provider', 'referrer', 'mentor'] });
  switch (organization?.kind) {
    case undefined:
    case 'mentor':
      return sql`true`;
    case 'operator':
      return sql`circuits.operator_id = ${organization.id}`;
    case 'provider':
      return sql`exists (select 1 from circuit_providers m where m.circuit_id = circuits.id and m.provider_id = ${organization.id})`;
    case 'referrer':
      return sql`exists (select 1 from allocations a join pools p on p.id = a.pool_id
                         where p.circuit_id = circuits.id and a.referrer_id = ${organization.id})`;
  }
}

/** The circuit `id` if the operator runs it (the admin, `undefined`, runs every circuit); 404 otherwise. */
async function managedCircuit(sql: Sql, operator: Organization | undefined, id: string): Promise<CircuitRow> {
  const [row] = await sql<CircuitRow[]>`select * from circuits where id = ${id}`;
  if (row === undefined || (operator !== undefined && row.operator_id !== operator.id)) {
    throw new Problem(404, 'not_found', 'No such circuit', `No circuit ${id} that you operate.`);
  }
  return row;
}

function noSuchCircuit(id: string): Problem {
  return new Problem(404, 'not_found', 'No such circuit', `No circuit ${id} that you may see.`);
}

/** The operator of a new circuit: the calling operator itself, or the one the admin names. */
async function circuitOperator(sql: Sql, callerId: string | undefined, requested: string | undefined): Promise<string> {
  if (callerId !== undefined) {
    if (requested !== undefined && requested !== callerId) {
      throw new Problem(403, 'forbidden', 'Not your circuit to create', 'An operator creates circuits for itself; leave out `operator_id`.');
    }
    return callerId;
  }
  if (requested === undefined) {
    throw new Problem(400, 'invalid_request', 'Which operator?', 'With the admin key, name the operator that runs the circuit in `operator_id`.', [
      { path: 'operator_id', message: 'required with the admin key' },
    ]);
  }
  const [operator] = await sql`select 1 from organizations where id = ${requested} and kind = 'operator'`;
  if (operator === undefined) throw new Problem(404, 'not_found', 'No such operator', `No operator organization ${requested}.`);
  return requested;
}

/**
 * The paths to store: each step's category is one of the circuit's and each offer one of its offers;
 * a path keeps the id it was sent with if the circuit has it, else gets a new one.
 */
async function checkedPaths(
  sql: Queryable,
  circuit: { id: string; categories: Category[]; paths: CircuitPath[] },
  paths: readonly NewCircuitPath[],
): Promise<CircuitPath[]> {
  const slugs = new Set(circuit.categories.map((category) => category.slug));
  const knownPaths = new Set(circuit.paths.map((path) => path.id));
  const offerIds = paths.flatMap((path) => path.steps.flatMap((step) => ('offer_id' in step ? [step.offer_id] : [])));
  const offers =
    offerIds.length === 0
      ? []
      : await sql<{ id: string }[]>`select id from offers where circuit_id = ${circuit.id} and id = any(${offerIds}::uuid[])`;
  const knownOffers = new Set(offers.map((offer) => offer.id));
  const poolIds = paths.flatMap((path) => (path.bonus ? [path.bonus.pool_id] : []));
  const pools =
    poolIds.length === 0 ? [] : await sql<{ id: string }[]>`select id from pools where circuit_id = ${circuit.id} and id = any(${poolIds}::uuid[])`;
  const knownPools = new Set(pools.map((pool) => pool.id));
  const errors: ProblemField[] = [];
  paths.forEach((path, index) => {
    if (path.id !== undefined && !knownPaths.has(path.id)) {
      errors.push({ path: `paths.${index}.id`, message: 'not a path of this circuit' });
    }
    if (path.bonus && !knownPools.has(path.bonus.pool_id)) {
      errors.push({ path: `paths.${index}.bonus.pool_id`, message: `not a pool of the circuit: ${path.bonus.pool_id}` });
    }
    path.steps.forEach((step: Step, stepIndex) => {
      if ('category' in step && !slugs.has(step.category)) {
        errors.push({ path: `paths.${index}.steps.${stepIndex}.category`, message: `not a category of the circuit: ${step.category}` });
      }
      if ('offer_id' in step && !knownOffers.has(step.offer_id)) {
        errors.push({ path: `paths.${index}.steps.${stepIndex}.offer_id`, message: `not an offer of the circuit: ${step.offer_id}` });
      }
    });
  });
  if (errors.length > 0) {
    throw new Problem(
      400,
      'invalid_request',
      'Path steps outside the circuit',
      `Steps name categories and offers of the circuit (categories: ${[...slugs].join(', ')}); a bonus is paid by one of its pools.`,
      errors,
    );
  }
  return paths.map((path) => ({ id: path.id ?? newId(), name: path.name, ordered: path.ordered, steps: path.steps, bonus: path.bonus ?? null }));
}

/** A category stays while an offer of the circuit is in it. */
async function keepCategoriesInUse(sql: Queryable, circuitId: string, categories: readonly Category[]): Promise<void> {
  const kept = categories.map((category) => category.slug);
  const [used] = await sql<{ category: string; offers: number }[]>`
    select category, count(*)::int as offers from offers
    where circuit_id = ${circuitId} and category <> all(${kept}::text[])
    group by category order by category limit 1`;
  if (used !== undefined) {
    throw new Problem(
      409,
      'conflict',
      'Category in use',
      `${used.offers} offer(s) of the circuit are in the category "${used.category}"; keep it, or move those offers first.`,
    );
  }
}

/** A pool and its ledger account (same id), in the caller's transaction. */
export async function createPool(
  tx: Queryable,
  ledger: Ledger,
  pool: { id: string; circuitId: string; kind: PoolRow['kind']; name: string },
): Promise<PoolRow> {
  const [account] = await ledger.within(tx).createAccounts([{ id: pool.id, kind: 'pool', currency: 'EUR', reference: `pool:${pool.id}` }]);
  if (account!.result !== 'ok') throw new Error(`the ledger refused pool account ${pool.id}: ${account!.result}`);
  const [row] = await tx<PoolRow[]>`
    insert into pools (id, circuit_id, kind, name, currency)
    values (${pool.id}, ${pool.circuitId}, ${pool.kind}, ${pool.name}, 'EUR') returning *`;
  return row!;
}

async function poolJson(ledger: Ledger, pool: PoolRow) {
  const [account] = await ledger.lookupAccounts([pool.id]);
  return {
    id: pool.id,
    object: 'pool' as const,
    circuit_id: pool.circuit_id,
    kind: pool.kind,
    name: pool.name,
    currency: pool.currency,
    balance: amountJson(account!.balance),
    available: amountJson(account!.available),
    created_at: pool.created_at.toISOString(),
  };
}

/** A jsonb parameter, sent as text and cast in SQL (`${jsonb(x)}::text::jsonb`); null stays null. */
export function jsonb(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function circuitJson(row: CircuitRow) {
  return {
    id: row.id,
    object: 'circuit' as const,
    operator_id: row.operator_id,
    name: row.name,
    description: row.description,
    currency: row.currency,
    general_pool_id: row.general_pool_id,
    categories: row.categories,
    paths: row.paths,
    created_at: row.created_at.toISOString(),
  };
}

function membershipJson(row: MembershipRow) {
  return {
    object: 'circuit_provider' as const,
    circuit_id: row.circuit_id,
    provider_id: row.provider_id,
    provider_name: row.provider_name,
    joined_at: row.joined_at.toISOString(),
  };
}

function allocationJson(row: AllocationRow) {
  return {
    object: 'allocation' as const,
    referrer_id: row.referrer_id,
    pool_id: row.pool_id,
    circuit_id: row.circuit_id,
    amount: amountJson(row.amount),
    issued: amountJson(row.issued),
    remaining: amountJson(row.amount - row.issued),
    updated_at: row.updated_at.toISOString(),
  };
}
