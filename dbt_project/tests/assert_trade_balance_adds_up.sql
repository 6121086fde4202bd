{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_trade_balance'}}}) }}

-- The ATP trade balance adds up at every grain: for each year x partner x definition, the 'all'
-- row is the sum of the ten group rows (exports, imports and balance, for the partner, the rest
-- of the world and the world), and the world exports and imports of each group are the sums of
-- fct_atp_trade_by_definition over the single countries (balance = exports - imports per row is
-- the model's expression test). Returns one row per failing year x partner x definition x group.

with

balance as (

    select * from {{ ref('fct_atp_trade_balance') }}

),

trade as (

    select * from {{ ref('fct_atp_trade_by_definition') }}

),

{%- set measures = [] %}
{%- for scope in ['partner', 'rest_of_world', 'world'] %}
{%- for measure in ['exports', 'imports', 'balance'] %}
{%- do measures.append(scope ~ '_' ~ measure ~ '_usd') %}
{%- endfor %}
{%- endfor %}

groups_summed as (

    select
        year,
        partner_code,
        definition,
        {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from balance
    where hitech_code <> 'all'
    group by year, partner_code, definition

),

world_trade as (

    select
        year,
        definition,
        hitech_code,
        sum(case when trade_flow = 'exports' then value_usd else 0 end) as world_exports_usd,
        sum(case when trade_flow = 'imports' then value_usd else 0 end) as world_imports_usd
    from trade
    group by year, definition, hitech_code

)

select balance.year, balance.partner_code, balance.definition, balance.hitech_code, 'all vs groups' as check_name
from balance
inner join groups_summed
    on balance.year = groups_summed.year
    and balance.partner_code = groups_summed.partner_code
    and balance.definition = groups_summed.definition
where balance.hitech_code = 'all'
    and (
        {%- for measure in measures %}
        balance.{{ measure }} <> groups_summed.{{ measure }}{{ ' or' if not loop.last }}
        {%- endfor %}
    )

union all

select balance.year, balance.partner_code, balance.definition, balance.hitech_code, 'world vs fct_atp_trade' as check_name
from balance
left join world_trade
    on balance.year = world_trade.year
    and balance.definition = world_trade.definition
    and balance.hitech_code = world_trade.hitech_code
where balance.hitech_code <> 'all'
    and (
        balance.world_exports_usd <> coalesce(world_trade.world_exports_usd, 0)
        or balance.world_imports_usd <> coalesce(world_trade.world_imports_usd, 0)
    )
