{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_growth'}}}) }}

-- Additive definitions (as published, fixed) must sum consistently: the 'all' row equals the
-- sum of the ten groups, and partner + rest of world equals world, for every year and partner.
-- Returns the inconsistent rows.

with

growth as (

    select * from {{ ref('fct_atp_growth') }}
    where definition <> 'chain_linked'

),

groups_vs_all as (

    select
        trade_flow,
        year,
        partner_code,
        definition,
        sum(case when hitech_code <> 'all' then partner_value_usd end) as partner_groups_usd,
        sum(case when hitech_code = 'all' then partner_value_usd end) as partner_all_usd,
        sum(case when hitech_code <> 'all' then world_value_usd end) as world_groups_usd,
        sum(case when hitech_code = 'all' then world_value_usd end) as world_all_usd
    from growth
    group by trade_flow, year, partner_code, definition

)

select trade_flow, year, partner_code, definition, null as hitech_code, 'groups vs all' as check_name
from groups_vs_all
where partner_groups_usd is distinct from partner_all_usd
    or world_groups_usd is distinct from world_all_usd
union all
select trade_flow, year, partner_code, definition, hitech_code, 'partner + rest of world vs world' as check_name
from growth
where partner_value_usd + rest_of_world_value_usd is distinct from world_value_usd
