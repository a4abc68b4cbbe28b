import { type Kysely, sql } from 'kysely'

/**
 * The business: catalog (markets, channels, products, prices, locations, suppliers, bills of
 * materials), the stock ledger with derived levels and reservations, purchase orders,
 * production, sales orders, storefront sessions, FX rates, receivables and payables.
 *
 * Money is numeric with 2 decimals (unit costs 4), quantities are whole units except bill of
 * materials amounts. Every order stores its FX rate and base-currency value as booked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`create table markets (
      code text primary key check (code ~ '^[A-Z]{2,5}$'),
      name text not null,
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      tax_rate numeric(6,4) not null check (tax_rate >= 0 and tax_rate < 1),
      shipping_days integer not null check (shipping_days >= 0)
    )`,
    sql`create table locations (
      code text primary key check (code ~ '^[A-Z0-9-]{2,20}$'),
      name text not null,
      kind text not null check (kind in ('warehouse', 'factory', 'fulfilment'))
    )`,
    sql`create table channels (
      code text primary key check (code ~ '^[a-z0-9-]{2,40}$'),
      name text not null,
      kind text not null check (kind in ('shopify', 'amazon', 'wholesale', 'other')),
      market_code text not null references markets (code),
      -- where this channel's orders are reserved and shipped from
      location_code text not null references locations (code),
      fee_pct numeric(6,4) not null check (fee_pct >= 0 and fee_pct < 1),
      payout_days integer not null check (payout_days >= 0)
    )`,
    sql`create table products (
      sku text primary key check (sku ~ '^[A-Z0-9][A-Z0-9._-]{0,39}$'),
      name text not null,
      kind text not null check (kind in ('finished', 'component')),
      unit text not null default 'unit',
      unit_cost numeric(12,4) not null check (unit_cost >= 0),
      lead_time_days integer not null check (lead_time_days >= 0),
      moq integer not null default 1 check (moq >= 1),
      batch_size integer not null default 1 check (batch_size >= 1),
      service_level numeric(5,4) not null default 0.95 check (service_level > 0 and service_level < 1),
      active boolean not null default true,
      created_at timestamptz not null default now()
    )`,
    sql`create table product_prices (
      sku text not null references products (sku),
      market_code text not null references markets (code),
      price numeric(12,2) not null check (price >= 0),
      primary key (sku, market_code)
    )`,
    sql`create table suppliers (
      id text primary key,
      name text not null,
      email text,
      currency char(3) not null,
      lead_time_days integer not null check (lead_time_days >= 0),
      payment_days integer not null default 30 check (payment_days >= 0)
    )`,
    sql`create table bom_lines (
      product_sku text not null references products (sku),
      component_sku text not null references products (sku),
      quantity numeric(12,4) not null check (quantity > 0),
      primary key (product_sku, component_sku),
      check (product_sku <> component_sku)
    )`,

    // The stock ledger: append-only; levels are derived from it in the same transaction.
    sql`create table stock_movements (
      id bigserial primary key,
      occurred_at timestamptz not null,
      created_at timestamptz not null default now(),
      kind text not null check (kind in
        ('receipt', 'production_output', 'consumption', 'sale', 'transfer_out', 'transfer_in', 'adjustment', 'return')),
      sku text not null references products (sku),
      location_code text not null references locations (code),
      quantity integer not null check (quantity <> 0),
      lot text,
      expires_on date,
      reference_type text,
      reference_id text,
      note text,
      actor text not null
    )`,
    sql`create index stock_movements_sku_location_idx on stock_movements (sku, location_code, occurred_at)`,
    sql`create index stock_movements_reference_idx on stock_movements (reference_type, reference_id)`,
    sql`create function stock_movements_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'stock_movements is append-only: % is not allowed; record a correcting movement', tg_op
          using errcode = 'insufficient_privilege';
      end;
      $$`,
    sql`create trigger stock_movements_append_only before update or delete on stock_movements
      for each row execute function stock_movements_append_only()`,
    sql`create table stock_levels (
      sku text not null references products (sku),
      location_code text not null references locations (code),
      on_hand integer not null default 0,
      reserved integer not null default 0 check (reserved >= 0),
      updated_at timestamptz not null default now(),
      primary key (sku, location_code)
    )`,

    sql`create table purchase_orders (
      id text primary key,
      supplier_id text not null references suppliers (id),
      location_code text not null references locations (code),
      status text not null check (status in ('ordered', 'received', 'cancelled')),
      currency char(3) not null,
      ordered_at timestamptz not null,
      expected_at timestamptz not null,
      received_at timestamptz
    )`,
    sql`create index purchase_orders_status_idx on purchase_orders (status, expected_at)`,
    sql`create table purchase_order_lines (
      purchase_order_id text not null references purchase_orders (id) on delete cascade,
      sku text not null references products (sku),
      quantity integer not null check (quantity > 0),
      unit_cost numeric(12,4) not null check (unit_cost >= 0),
      primary key (purchase_order_id, sku)
    )`,

    sql`create table production_lines (
      code text primary key check (code ~ '^[A-Z0-9-]{2,20}$'),
      name text not null,
      ideal_rate_per_hour numeric(10,2) not null check (ideal_rate_per_hour > 0)
    )`,
    sql`create table production_batches (
      id text primary key,
      line_code text not null references production_lines (code),
      sku text not null references products (sku),
      location_code text not null references locations (code),
      lot text not null,
      status text not null check (status in ('planned', 'running', 'completed', 'cancelled')),
      planned_quantity integer not null check (planned_quantity > 0),
      good_count integer not null default 0 check (good_count >= 0),
      rejected_count integer not null default 0 check (rejected_count >= 0),
      planned_start timestamptz not null,
      planned_end timestamptz not null,
      started_at timestamptz,
      ended_at timestamptz,
      check (planned_end > planned_start),
      check (ended_at is null or (started_at is not null and ended_at >= started_at))
    )`,
    sql`create index production_batches_line_idx on production_batches (line_code, planned_start)`,
    sql`create table production_downtime (
      id bigserial primary key,
      batch_id text not null references production_batches (id),
      reason text not null,
      minutes integer not null check (minutes > 0),
      started_at timestamptz not null
    )`,

    sql`create table fx_rates (
      currency char(3) not null,
      day date not null,
      rate numeric(18,8) not null check (rate > 0),
      primary key (currency, day)
    )`,
    sql`create table customers (
      id text primary key,
      name text not null,
      email text,
      market_code text references markets (code)
    )`,

    sql`create table orders (
      id text primary key,
      source text not null check (source in ('api', 'shopify', 'amazon', 'wholesale', 'csv', 'demo')),
      external_id text,
      channel_code text not null references channels (code),
      market_code text not null references markets (code),
      customer_id text references customers (id),
      currency char(3) not null,
      status text not null check (status in ('pending', 'paid', 'fulfilled', 'cancelled', 'refunded')),
      placed_at timestamptz not null,
      subtotal numeric(14,2) not null check (subtotal >= 0),
      tax numeric(14,2) not null check (tax >= 0),
      shipping numeric(14,2) not null check (shipping >= 0),
      total numeric(14,2) not null check (total >= 0),
      fx_rate numeric(18,8) not null check (fx_rate > 0),
      total_base numeric(14,2) not null check (total_base >= 0),
      location_code text not null references locations (code),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create unique index orders_source_external_id_uq on orders (source, external_id) where external_id is not null`,
    // The runbook's "orders WHERE status = 'pending'", newest first, keyset-paged.
    sql`create index orders_status_placed_at_idx on orders (status, placed_at desc, id desc)`,
    sql`create index orders_placed_at_idx on orders (placed_at desc, id desc)`,
    sql`create index orders_channel_placed_at_idx on orders (channel_code, placed_at desc)`,
    sql`create table order_lines (
      order_id text not null references orders (id) on delete cascade,
      line_no integer not null check (line_no >= 1),
      sku text not null references products (sku),
      quantity integer not null check (quantity > 0),
      unit_price numeric(12,2) not null check (unit_price >= 0),
      unit_cost numeric(12,4) not null check (unit_cost >= 0),
      primary key (order_id, line_no)
    )`,
    sql`create index order_lines_sku_idx on order_lines (sku)`,
    sql`create table stock_reservations (
      order_id text not null references orders (id) on delete cascade,
      sku text not null references products (sku),
      location_code text not null references locations (code),
      quantity integer not null check (quantity > 0),
      primary key (order_id, sku, location_code)
    )`,

    sql`create table idempotency_keys (
      scope text not null,
      key text not null,
      request_hash text not null,
      status_code integer not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (scope, key)
    )`,
    sql`create table webhook_deliveries (
      source text not null,
      delivery_id text not null,
      topic text not null,
      received_at timestamptz not null default now(),
      primary key (source, delivery_id)
    )`,

    sql`create table storefront_sessions (
      channel_code text not null references channels (code),
      hour timestamptz not null,
      visits integer not null check (visits >= 0),
      primary key (channel_code, hour)
    )`,
    sql`create table receivables (
      id text primary key,
      counterparty text not null,
      reference text not null,
      currency char(3) not null,
      amount numeric(14,2) not null check (amount >= 0),
      amount_base numeric(14,2) not null check (amount_base >= 0),
      issued_on date not null,
      due_on date not null,
      paid_on date,
      check (due_on >= issued_on)
    )`,
    sql`create table payables (
      id text primary key,
      supplier_id text references suppliers (id),
      reference text not null,
      currency char(3) not null,
      amount numeric(14,2) not null check (amount >= 0),
      amount_base numeric(14,2) not null check (amount_base >= 0),
      issued_on date not null,
      due_on date not null,
      paid_on date,
      check (due_on >= issued_on)
    )`,

    // Rollups kept in step with orders (same transaction): sales per hour × channel × market ×
    // product, and per day. Only orders that count as sales (not cancelled or refunded) are in.
    sql`create table sales_hourly (
      hour timestamptz not null,
      channel_code text not null,
      market_code text not null,
      sku text not null,
      orders integer not null default 0,
      units integer not null default 0,
      revenue_base numeric(16,2) not null default 0,
      cost_base numeric(16,2) not null default 0,
      primary key (hour, channel_code, market_code, sku)
    )`,
    sql`create table sales_daily (
      day date not null,
      channel_code text not null,
      market_code text not null,
      sku text not null,
      orders integer not null default 0,
      units integer not null default 0,
      revenue_base numeric(16,2) not null default 0,
      cost_base numeric(16,2) not null default 0,
      primary key (day, channel_code, market_code, sku)
    )`,
    sql`create table order_totals_hourly (
      hour timestamptz not null,
      channel_code text not null,
      market_code text not null,
      orders integer not null default 0,
      revenue_base numeric(16,2) not null default 0,
      primary key (hour, channel_code, market_code)
    )`,
  ]
  for (const statement of statements) await statement.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = [
    'order_totals_hourly',
    'sales_daily',
    'sales_hourly',
    'payables',
    'receivables',
    'storefront_sessions',
    'webhook_deliveries',
    'idempotency_keys',
    'stock_reservations',
    'order_lines',
    'orders',
    'customers',
    'fx_rates',
    'production_downtime',
    'production_batches',
    'production_lines',
    'purchase_order_lines',
    'purchase_orders',
    'stock_levels',
    'stock_movements',
    'bom_lines',
    'suppliers',
    'product_prices',
    'products',
    'channels',
    'locations',
    'markets',
  ]
  for (const table of tables) await sql`drop table ${sql.table(table)}`.execute(db)
  await sql`drop function stock_movements_append_only()`.execute(db)
}
